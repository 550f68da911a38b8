// GetRecords answers: the text decoder (`model::decode_text`, a SAX parse
// without a JSON tree, what streams_client::get_records tries first) against
// the tree decoder (`model::decode`): it may decline any input, but what it
// decodes the tree decoder must decode to the same page, and a decline
// leaves the page empty (tests/support/streams_differential.hpp). The page
// decoder (`model::decode_page`, views into an arena, what
// streams_client::get_records_page tries first) is held to the same: it
// takes exactly what the text decoder takes, and gives the same records.
#include "fuzz.hpp"

#include "../support/streams_differential.hpp"

DDB_FUZZ_TARGET {
    const auto body = ddb::fuzz::text(data, size);
    // The client's depth limit, and a small one (the frame stack's edge).
    DDB_FUZZ_CHECK(ddb::test::agree(body, 100));
    DDB_FUZZ_CHECK(ddb::test::agree(body, 6));
    return 0;
}
