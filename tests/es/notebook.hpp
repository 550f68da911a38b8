// ddb tests — a minimal aggregate for event-store tests: a notebook whose
// only event is `noted`, counting its notes.
#pragma once

#include <ddb/es/aggregate_root.hpp>

#include <boost/describe.hpp>

#include <string>

namespace ddb::es::test {

struct noted {
    std::string text;
};
BOOST_DESCRIBE_STRUCT(noted, (), (text))

class notebook : public aggregate_root<notebook, noted> {
public:
    void note(std::string text) { record(noted{std::move(text)}); }
    int notes = 0;

private:
    friend ddb::es::aggregate_access;
    void apply(const noted&) { ++notes; }
};
BOOST_DESCRIBE_STRUCT(notebook, (), (notes))

} // namespace ddb::es::test
