// es_worker_process — one projection worker as a process, for the
// multi-process tests (tests/es/projection_workers.cpp starts three and
// kills one with SIGKILL).
//
//   es_worker_process EVENTS CHECKPOINTS MODEL PROJECTION OWNER
//                     [--at-least-once] [--lease-ms N] [--renew-ms N]
//
// Endpoint, region and credentials come from the environment. The handler
// keeps a read model in table MODEL (key pk = aggregate uuid): `n` counts
// the events applied and `last` is the last version. Each write is
// conditioned on `last` being the previous version, so an event applied
// twice or out of order fails the worker (exit status 1) instead of going
// unnoticed. Exactly once by default: the write is committed with the
// checkpoint. Runs until SIGTERM or SIGINT (then releases its leases and
// exits 0). Prints "ready" once running and "handled N" at the end.
#include <ddb/client/client.hpp>
#include <ddb/es/checkpoint_store.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/projection_worker.hpp>
#include <ddb/value/expression.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstring>
#include <iostream>
#include <string>

namespace asio = boost::asio;
namespace es = ddb::es;
using asio::awaitable;
using namespace ddb::expr;

namespace {

ddb::transact_write_item model_write(const std::string& table, const es::stored_event& e) {
    ddb::expr::parameters p;
    ddb::transact_write_item w;
    w.update = ddb::transact_update{
        .table_name = table,
        .key = {{"pk", ddb::attribute_value(*e.aggregate_uuid)}},
        .update_expression =
            p.render(ddb::expr::update()
                         .set(path("last"), value(ddb::number(e.aggregate_version)))
                         .add(path("n"), ddb::attribute_value(ddb::number(1)))),
        .condition_expression =
            p.render(e.aggregate_version == 1
                         ? attribute_not_exists(path("pk"))
                         : path("last") == value(ddb::number(e.aggregate_version - 1)))};
    p.apply_to(*w.update);
    return w;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 6) {
        std::cerr << "usage: es_worker_process EVENTS CHECKPOINTS MODEL PROJECTION OWNER "
                     "[--at-least-once] [--lease-ms N] [--renew-ms N]\n";
        return 2;
    }
    es::store_config cfg;
    cfg.events_table = argv[1];
    cfg.checkpoints_table = argv[2];
    const std::string model = argv[3];
    es::projection_worker_options o;
    o.projection = argv[4];
    o.owner = argv[5];
    o.lease_duration = std::chrono::milliseconds(2000);
    o.renew_interval = std::chrono::milliseconds(400);
    o.subscription.horizon = std::chrono::milliseconds(300);
    o.subscription.poll_interval = std::chrono::milliseconds(50);
    o.subscription.max_poll_interval = std::chrono::milliseconds(200);
    o.failure = es::on_handler_failure::stop;
    bool exactly_once = true;
    for (int i = 6; i < argc; ++i) {
        if (std::strcmp(argv[i], "--at-least-once") == 0)
            exactly_once = false;
        else if (std::strcmp(argv[i], "--lease-ms") == 0 && i + 1 < argc)
            o.lease_duration = std::chrono::milliseconds(std::stoi(argv[++i]));
        else if (std::strcmp(argv[i], "--renew-ms") == 0 && i + 1 < argc)
            o.renew_interval = std::chrono::milliseconds(std::stoi(argv[++i]));
        else {
            std::cerr << "es_worker_process: unknown argument " << argv[i] << "\n";
            return 2;
        }
    }
    asio::io_context ioc;
    ddb::client c(ioc.get_executor(), ddb::client_config{});
    es::dynamodb_event_repository events(c, cfg);
    es::checkpoint_store checkpoints(c, cfg);
    std::unique_ptr<es::projection_worker> worker;
    if (exactly_once) {
        worker = std::make_unique<es::projection_worker>(
            events, checkpoints, o,
            [&](const es::stored_event& e) -> awaitable<std::vector<ddb::transact_write_item>> {
                std::vector<ddb::transact_write_item> writes;
                writes.push_back(model_write(model, e));
                co_return writes;
            });
    } else {
        worker = std::make_unique<es::projection_worker>(
            events, checkpoints, o, [&](const es::stored_event& e) -> awaitable<void> {
                ddb::update_item_request req;
                auto w = model_write(model, e);
                req.table_name = w.update->table_name;
                req.key = w.update->key;
                req.update_expression = w.update->update_expression;
                req.condition_expression = w.update->condition_expression;
                req.expression_attribute_names = w.update->expression_attribute_names;
                req.expression_attribute_values = w.update->expression_attribute_values;
                co_await c.update_item(req);
            });
    }
    asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec)
            worker->stop();
    });
    int status = 0;
    asio::co_spawn(ioc, worker->run(), [&](std::exception_ptr e) {
        signals.cancel();
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                std::cerr << "es_worker_process " << o.owner << ": " << x.what() << "\n";
            }
            status = 1;
        }
    });
    std::cout << "ready " << o.owner << std::endl;
    ioc.run();
    std::cout << "handled " << worker->stats().handled << std::endl;
    return status;
}
