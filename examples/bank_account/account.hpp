// bank_account example — the account aggregate, its events, and the registry.
#pragma once

//[aggregate
#include <ddb/es/aggregate_root.hpp>
#include <ddb/es/event_registry.hpp>

#include <boost/describe.hpp>

#include <cstdint>
#include <string>

namespace bank {

struct opened {
    std::string owner{};
};
BOOST_DESCRIBE_STRUCT(opened, (), (owner))

struct deposited {
    std::int64_t amount = 0;
};
BOOST_DESCRIBE_STRUCT(deposited, (), (amount))

struct withdrawn {
    std::int64_t amount = 0;
};
BOOST_DESCRIBE_STRUCT(withdrawn, (), (amount))

struct overdraft_refused { // recorded instead of a withdrawal beyond the balance
    std::int64_t amount = 0;
    std::int64_t balance = 0;
};
BOOST_DESCRIBE_STRUCT(overdraft_refused, (), (amount, balance))

struct account : ddb::es::aggregate_root<account, opened, deposited, withdrawn, overdraft_refused> {
    std::string owner{}; // the snapshot state: described below
    std::int64_t balance = 0;
    std::int64_t applied = 0; // events applied since created or loaded (not snapshotted)

    void open(std::string who) { record(opened{std::move(who)}); }
    void deposit(std::int64_t n) { record(deposited{n}); }
    void withdraw(std::int64_t n) {
        if (n > balance)
            record(overdraft_refused{n, balance});
        else
            record(withdrawn{n});
    }

    void apply(const opened& e) {
        owner = e.owner;
        ++applied;
    }
    void apply(const deposited& e) {
        balance += e.amount;
        ++applied;
    }
    void apply(const withdrawn& e) {
        balance -= e.amount;
        ++applied;
    }
    void apply(const overdraft_refused&) { ++applied; }
};
BOOST_DESCRIBE_STRUCT(account, (), (owner, balance))

inline ddb::es::event_registry make_registry() {
    ddb::es::event_registry reg;
    reg.add<opened>("account.opened")
        .add<deposited>("account.deposited")
        .add<withdrawn>("account.withdrawn")
        .add<overdraft_refused>("account.overdraft_refused");
    return reg;
}
} // namespace bank
//]
