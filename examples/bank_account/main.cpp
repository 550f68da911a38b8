//
// bank_account — a tour of the event store (ddb::es) on a small bank:
// accounts as event-sourced aggregates, a balance projection and an
// overdraft reactor run after each persist, a write conflict resolved by
// retry_on_conflict, snapshots every 50 events and a load that uses one,
// and the projection rebuilt by a replay and checked against the live one.
//
//   bank_account --in-memory    in-memory repositories, no server
//   bank_account                DynamoDB from the usual AWS settings
//                               (AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, ...):
//                               fresh tables, deleted at the end
//   bank_account --suffix S --with-follower
//                               tables named with suffix S, followed by
//                               bank_follower --suffix S (a second process):
//                               at the end, waits until the follower's
//                               balances table equals this projection; the
//                               tables are kept
//   bank_account --suffix S --delete-tables
//                               deletes those tables
//
// Exit code 0 on success, 1 (with a message) on any failure.
//
#include "account.hpp"

#include <ddb/client/client.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/dynamodb_snapshot_repository.hpp>
#include <ddb/es/in_memory_event_repository.hpp>
#include <ddb/es/in_memory_snapshot_repository.hpp>
#include <ddb/es/projector.hpp>
#include <ddb/es/replay.hpp>
#include <ddb/es/tables.hpp>
#include <ddb/ops/paginator.hpp>

#include <boost/asio.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace asio = boost::asio;
namespace es = ddb::es;
using asio::awaitable;
using namespace bank;
using namespace std::chrono_literals;

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point start) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

void check(bool ok, const std::string& what) {
    if (!ok)
        throw std::runtime_error("check failed: " + what);
}

/// The read model: balances by account, rebuilt from scratch on reset.
struct balance_projection {
    std::map<std::string, std::int64_t> balances{};
    int resets = 0;
    es::projector handlers;

    explicit balance_projection(const es::event_registry& reg)
        : handlers(reg, "balances") {
        handlers
            .on<opened>([this](const opened&, const es::stored_event& se) {
                balances[*se.aggregate_uuid] = 0;
            })
            .on<deposited>([this](const deposited& e, const es::stored_event& se) {
                balances[*se.aggregate_uuid] += e.amount;
            })
            .on<withdrawn>([this](const withdrawn& e, const es::stored_event& se) {
                balances[*se.aggregate_uuid] -= e.amount;
            })
            .on_reset([this] {
                balances.clear();
                ++resets;
            });
    }
};

/// A side effect: tells about refused overdrafts (never runs in a replay).
struct overdraft_reactor {
    int refused = 0;
    es::reactor handlers;

    explicit overdraft_reactor(const es::event_registry& reg)
        : handlers(reg, "overdraft-alerts") {
        handlers.on<overdraft_refused>(
            [this](const overdraft_refused& e, const es::stored_event& se) {
                ++refused;
                std::cout << "    [reactor] overdraft refused on " << *se.aggregate_uuid
                          << ": wanted " << e.amount << ", balance " << e.balance << "\n";
            });
    }
};

struct report_data {
    std::int64_t events_written = 0;
    int conflicts_seen = 0;
    int conflicts_resolved = 0;
    int snapshots_taken = 0;
    std::int64_t loaded_version = 0, snapshot_version = 0, events_after_snapshot = 0;
    std::int64_t replayed = 0;
    double replay_rate = 0;
    std::vector<std::pair<std::string, double>> phases{};
};

struct bank_tour {
    es::repositories repos;
    es::projectionist& p;
    balance_projection& projection;
    overdraft_reactor& alerts;
    bool dynamodb = false;
    ddb::client* c = nullptr;
    std::string balances_table{}; // with a follower
    int batch = 1;                // events per persist in the snapshot phase
    report_data r{};

    // Persists and runs the projection and the reactor; handler failures fail the tour.
    awaitable<void> save(account& a) {
        auto done = co_await es::persist_and_project(a, p);
        r.events_written += static_cast<std::int64_t>(done.events.size());
        if (!done.failures.empty())
            throw std::runtime_error("handler " + done.failures.front().handler +
                                     " failed: " + done.failures.front().message);
    }

    awaitable<void> open_accounts() {
        std::cout << "== opening accounts\n";
        const std::vector<std::pair<std::string, std::string>> people = {
            {"acc-alice", "Alice"}, {"acc-bob", "Bob"}, {"acc-carol", "Carol"}};
        for (const auto& [uuid, owner] : people) {
            account a = account::create(repos, uuid);
            a.open(owner);
            a.deposit(100);
            co_await save(a);
            std::cout << "  opened " << uuid << " for " << owner << " with 100 (version "
                      << a.version() << ")\n";
        }
        account bob = co_await account::load(repos, "acc-bob");
        bob.withdraw(500); // more than the balance: overdraft_refused
        co_await save(bob);
        account carol = co_await account::load(repos, "acc-carol");
        carol.withdraw(40);
        co_await save(carol);
        check(alerts.refused == 1, "one overdraft refused");
    }

    awaitable<void> load_accounts() {
        std::cout << "== loading accounts\n";
        for (const char* uuid : {"acc-alice", "acc-bob", "acc-carol"}) {
            account a = co_await account::load(repos, uuid);
            std::cout << "  " << uuid << ": owner " << a.owner << ", balance " << a.balance
                      << ", version " << a.version() << "\n";
            check(a.balance == projection.balances[uuid],
                  std::string("loaded balance equals the projection for ") + uuid);
        }
    }

    awaitable<void> conflict() {
        std::cout << "== two writers on acc-alice\n";
        account first = co_await account::load(repos, "acc-alice");
        account second = co_await account::load(repos, "acc-alice");
        first.deposit(25);
        second.withdraw(60);
        co_await save(first);
        std::cout << "  writer 1 deposited 25: stored at version " << first.version() << "\n";
        bool conflicted = false;
        try {
            co_await save(second);
        } catch (const es::concurrency_conflict& e) {
            conflicted = true;
            ++r.conflicts_seen;
            std::cout << "  writer 2 withdrawing 60: concurrency_conflict (expected version "
                      << e.expected() << ", actual " << e.actual() << ")\n";
        }
        check(conflicted, "the second writer conflicts");

        // Writer 2 retries with retry_on_conflict: reload, decide again,
        // persist. On its first attempt a teller slips in a deposit between
        // the load and the persist, so that attempt conflicts too.
        int attempts = 0;
        std::int64_t from_version = 0;
        bank_tour* self = this;
        int* attempts_p = &attempts;
        std::int64_t* from_p = &from_version;
        auto command = [self, attempts_p, from_p](account& a) -> awaitable<void> {
            ++*attempts_p;
            if (*attempts_p == 1) {
                account teller = co_await account::load(self->repos, "acc-alice");
                teller.deposit(5);
                co_await self->save(teller);
                std::cout << "  (a teller deposits 5 meanwhile: version " << teller.version()
                          << ")\n";
            }
            *from_p = a.version();
            a.withdraw(60);
        };
        account done = co_await es::retry_on_conflict<account>(repos, "acc-alice", command);
        r.conflicts_seen += attempts - 1;
        ++r.conflicts_resolved;
        // retry_on_conflict persisted the events itself: project them now.
        auto stored = repos.events->retrieve_all_after_version(from_version, "acc-alice");
        std::vector<es::stored_event> events;
        while (auto e = co_await stored.next())
            events.push_back(std::move(*e));
        auto failures = co_await p.handle(events);
        check(failures.empty(), "projecting the retried events");
        r.events_written += static_cast<std::int64_t>(events.size());
        std::cout << "  retry_on_conflict: withdrew 60 after " << attempts << " attempts; balance "
                  << done.balance << ", version " << done.version() << "\n";
        check(done.balance == 100 + 25 + 5 - 60, "alice's balance after the retry");
        check(projection.balances["acc-alice"] == done.balance, "alice's projected balance");
    }

    awaitable<void> snapshots() {
        constexpr int deposits = 120;
        constexpr std::int64_t every = 50;
        std::cout << "== " << deposits << " deposits into acc-dave, a snapshot every " << every
                  << " events (" << batch << " event(s) per persist)\n";
        account dave = account::create(repos, "acc-dave");
        dave.open("Dave");
        co_await save(dave);
        int remaining = deposits;
        while (remaining > 0) {
            // Never cross a multiple of `every` inside one persist.
            const auto room = every - dave.version() % every;
            const auto n = std::min<std::int64_t>({batch, room, remaining});
            for (std::int64_t i = 0; i < n; ++i)
                dave.deposit(10);
            remaining -= static_cast<int>(n);
            co_await save(dave);
            if (dave.version() % every == 0) {
                co_await dave.snapshot();
                ++r.snapshots_taken;
                std::cout << "  snapshot at version " << dave.version() << "\n";
            }
        }
        account loaded = co_await account::load(repos, "acc-dave");
        auto latest = co_await repos.snapshots->retrieve("acc-dave");
        check(latest.has_value(), "acc-dave has a snapshot");
        r.loaded_version = loaded.version();
        r.events_after_snapshot = loaded.applied;
        r.snapshot_version = loaded.version() - loaded.applied;
        std::cout << "  loaded at version " << r.loaded_version << " from a snapshot at version "
                  << r.snapshot_version << " plus " << r.events_after_snapshot
                  << " events; balance " << loaded.balance << "\n";
        check(r.snapshot_version == latest->aggregate_version,
              "the load started from the newest snapshot");
        check(r.loaded_version == deposits + 1, "acc-dave's version");
        check(r.snapshot_version == 100 && r.events_after_snapshot == 21,
              "snapshot at 100 plus 21 events");
        check(loaded.balance == 10 * deposits, "acc-dave's balance");
        check(projection.balances["acc-dave"] == loaded.balance, "acc-dave's projected balance");
    }

    awaitable<void> rebuild() {
        std::cout << "== rebuilding the balance projection by replay from 0\n";
        const auto live = projection.balances;
        const int alerts_before = alerts.refused;
        const int resets_before = projection.resets;
        es::replay_result result;
        // DynamoDB's global index is eventually consistent: on a real
        // table, the newest events may take a moment to show.
        for (int attempt = 1;; ++attempt) {
            const auto start = clock_type::now();
            result = co_await es::replay(*repos.events, p, 0);
            const double ms = ms_since(start);
            r.replayed = result.replayed;
            r.replay_rate = ms > 0 ? result.replayed * 1000.0 / ms : 0;
            if (result.replayed == r.events_written || !dynamodb || attempt == 5)
                break;
            std::cout << "  replayed " << result.replayed << " of " << r.events_written
                      << " events; the index is catching up, again in 1 s\n";
            asio::steady_timer t(co_await asio::this_coro::executor, 1s);
            co_await t.async_wait(asio::use_awaitable);
        }
        std::cout << "  replayed " << result.replayed << " events (" << std::fixed
                  << std::setprecision(0) << r.replay_rate << " events/s), checkpoint "
                  << result.checkpoint << "\n"
                  << std::defaultfloat;
        check(result.completed && result.failures == 0, "the replay completed without failures");
        check(projection.resets == resets_before + 1, "the replay reset the projection");
        check(result.replayed == r.events_written, "every written event replayed");
        check(alerts.refused == alerts_before, "reactors do not run during a replay");
        if (projection.balances != live) {
            for (const auto& [uuid, balance] : live)
                std::cerr << "  live " << uuid << " = " << balance << ", replayed "
                          << projection.balances[uuid] << "\n";
            throw std::runtime_error("the replayed projection differs from the live one");
        }
        std::cout << "  replayed projection equals the live one (" << live.size() << " accounts)\n";
    }

    // The follower's read model (table `balances_table`, kept by
    // bank_follower from the store) equal to this process's projection.
    awaitable<void> follower_caught_up() {
        std::cout << "== waiting for bank_follower's balances (" << balances_table << ")\n";
        const auto start = clock_type::now();
        for (;;) {
            std::map<std::string, std::int64_t> theirs;
            ddb::scan_request req{.table_name = balances_table, .consistent_read = true};
            auto pages = ddb::scan_items(*c, req);
            while (auto it = co_await pages.next())
                theirs[it->at("pk").as_s()] = it->at("balance").as_n().as<std::int64_t>();
            if (theirs == projection.balances) {
                std::cout << "  the follower's table equals the projection (" << theirs.size()
                          << " accounts, " << std::fixed << std::setprecision(0) << ms_since(start)
                          << " ms after the last write)\n"
                          << std::defaultfloat;
                co_return;
            }
            if (ms_since(start) > 60000)
                throw std::runtime_error("bank_follower did not catch up within 60 s (" +
                                         std::to_string(theirs.size()) + " accounts in " +
                                         balances_table + ")");
            asio::steady_timer t(co_await asio::this_coro::executor, 250ms);
            co_await t.async_wait(asio::use_awaitable);
        }
    }

    template <class Phase>
    awaitable<void> timed(std::string name, Phase phase) {
        const auto start = clock_type::now();
        co_await (this->*phase)();
        r.phases.emplace_back(std::move(name), ms_since(start));
    }

    awaitable<void> run() {
        co_await timed("open", &bank_tour::open_accounts);
        co_await timed("load", &bank_tour::load_accounts);
        co_await timed("conflict", &bank_tour::conflict);
        co_await timed("snapshots", &bank_tour::snapshots);
        co_await timed("replay", &bank_tour::rebuild);
        if (!balances_table.empty())
            co_await timed("follower", &bank_tour::follower_caught_up);
    }
};

void print_report(const report_data& r, const overdraft_reactor& alerts) {
    std::cout << "\n== report\n"
              << "  events written:     " << r.events_written << "\n"
              << "  conflicts:          " << r.conflicts_seen << " seen, " << r.conflicts_resolved
              << " resolved by retry_on_conflict\n"
              << "  overdrafts refused: " << alerts.refused << "\n"
              << "  snapshots:          " << r.snapshots_taken << " taken; load at version "
              << r.loaded_version << " used the one at version " << r.snapshot_version << " plus "
              << r.events_after_snapshot << " events\n"
              << "  replay:             " << r.replayed << " events at " << std::fixed
              << std::setprecision(0) << r.replay_rate << " events/s, projection equal\n"
              << std::setprecision(1) << "  timings (ms):      ";
    double total = 0;
    for (const auto& [name, ms] : r.phases) {
        std::cout << " " << name << " " << ms;
        total += ms;
    }
    std::cout << "; total " << total << "\n" << std::defaultfloat;
}

std::string unique_suffix() {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return std::to_string(ms) + "-" + std::to_string(::getpid());
}

// The tables of a store named with `suffix`, and the follower's balances.
struct bank_tables {
    es::store_config cfg;
    std::string balances;

    explicit bank_tables(const std::string& suffix) {
        cfg.events_table = "bank-events-" + suffix;
        cfg.snapshots_table = "bank-snapshots-" + suffix;
        cfg.checkpoints_table = "bank-checkpoints-" + suffix;
        balances = "bank-balances-" + suffix;
    }
};

awaitable<void> delete_all(ddb::client& c, const bank_tables& t) {
    co_await es::delete_tables(c, t.cfg);
    ddb::delete_table_request req{.table_name = t.balances};
    try {
        co_await c.delete_table(req);
    } catch (const ddb::resource_not_found&) {
    }
}

} // namespace

int main(int argc, char** argv) {
    bool in_memory = false, with_follower = false, delete_only = false;
    std::string suffix;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--in-memory") == 0) {
            in_memory = true;
        } else if (std::strcmp(argv[i], "--suffix") == 0 && i + 1 < argc) {
            suffix = argv[++i];
        } else if (std::strcmp(argv[i], "--with-follower") == 0) {
            with_follower = true;
        } else if (std::strcmp(argv[i], "--delete-tables") == 0) {
            delete_only = true;
        } else {
            std::cerr << "usage: bank_account [--in-memory | --suffix S [--with-follower | "
                         "--delete-tables]]\n";
            return 1;
        }
    }
    if ((with_follower || delete_only) && (suffix.empty() || in_memory)) {
        std::cerr << "bank_account: --with-follower and --delete-tables need --suffix\n";
        return 1;
    }
    asio::io_context ioc;
    try {
        const es::event_registry registry = make_registry();
        const bank_tables tables(suffix.empty() ? unique_suffix() : suffix);
        es::store_config cfg = tables.cfg;
        std::unique_ptr<ddb::client> c;
        std::unique_ptr<es::event_repository> events;
        std::unique_ptr<es::snapshot_repository> snapshots;
        if (delete_only) {
            ddb::client dc(ioc.get_executor(), ddb::client_config{});
            asio::co_spawn(ioc, delete_all(dc, tables), [](std::exception_ptr e) {
                if (e)
                    std::rethrow_exception(e);
            });
            ioc.run();
            std::cout << "bank_account: deleted the tables of " << suffix << "\n";
            return 0;
        }
        if (in_memory) {
            std::cout << "store: in memory\n\n";
            events = std::make_unique<es::in_memory_event_repository>(ioc.get_executor());
            snapshots =
                std::make_unique<es::in_memory_snapshot_repository>(ioc.get_executor(), cfg);
        } else {
            ddb::client_config config; // region, endpoint, credentials: from the environment
            c = std::make_unique<ddb::client>(ioc.get_executor(), config);
            std::cout << "store: DynamoDB at " << c->endpoint().url << " (" << c->region()
                      << "), tables " << cfg.events_table << ", " << cfg.snapshots_table << "\n\n";
            events = std::make_unique<es::dynamodb_event_repository>(*c, cfg);
            snapshots = std::make_unique<es::dynamodb_snapshot_repository>(*c, cfg);
        }

        balance_projection projection(registry);
        overdraft_reactor alerts(registry);
        es::projectionist p;
        p.add(projection.handlers).add(alerts.handlers);
        es::repositories repos(*events, *snapshots, registry);
        bank_tour tour{repos, p, projection, alerts};
        tour.dynamodb = !in_memory;
        tour.c = c.get();
        if (with_follower)
            tour.balances_table = tables.balances;
        tour.batch = in_memory ? 1 : 10; // transactions are slow on local servers

        double setup_ms = 0, teardown_ms = 0;
        std::exception_ptr failure;
        auto main_task = [&]() -> awaitable<void> {
            bool created = false;
            if (c) {
                const auto start = clock_type::now();
                try {
                    co_await es::create_tables(*c, cfg);
                    created = true;
                } catch (...) {
                    failure = std::current_exception();
                }
                setup_ms = ms_since(start);
            }
            if (!failure) {
                try {
                    co_await tour.run();
                } catch (...) {
                    failure = std::current_exception();
                }
            }
            if (created && !with_follower) {
                const auto start = clock_type::now();
                try {
                    co_await es::delete_tables(*c, cfg);
                } catch (const std::exception& e) {
                    std::cerr << "bank_account: deleting the tables failed: " << e.what() << "\n";
                    if (!failure)
                        failure = std::current_exception();
                }
                teardown_ms = ms_since(start);
            }
        };
        asio::co_spawn(ioc, main_task(), [&](std::exception_ptr e) {
            if (e && !failure)
                failure = e;
        });
        ioc.run();
        if (failure)
            std::rethrow_exception(failure);
        print_report(tour.r, alerts);
        if (c)
            std::cout << std::fixed << std::setprecision(1) << "  tables (ms):        create "
                      << setup_ms << ", delete " << teardown_ms << "\n"
                      << std::defaultfloat;
        std::cout << "bank_account: OK\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "bank_account: FAILED: " << e.what() << "\n";
        std::cout << "bank_account: FAILED\n";
        return 1;
    }
}
