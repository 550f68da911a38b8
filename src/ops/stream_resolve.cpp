// Which stream `read_stream` reads: a stream ARN as given, or a table's
// newest ENABLED stream (else its newest).
#include <ddb/ops/stream_reader.hpp>
#include <ddb/ops/streams.hpp>

#include <algorithm>

namespace ddb {

namespace asio = boost::asio;

stream_not_found::stream_not_found(const std::string& table)
    : ddb::error(make_error_code(service_errc::resource_not_found),
                 "table '" + table + "' has no stream (ListStreams lists none for it)")
    , table_(table) {}

asio::awaitable<std::string> resolve_stream_arn(streams_client& c, std::string table_or_arn) {
    if (table_or_arn.starts_with("arn:"))
        co_return table_or_arn;
    list_streams_request which;
    which.table_name = table_or_arn;
    std::vector<stream_summary> streams;
    {
        auto listed = list_streams(c, which);
        while (auto s = co_await listed.next())
            if (!s->table_name || *s->table_name == table_or_arn)
                streams.push_back(std::move(*s));
    }
    if (streams.empty())
        throw stream_not_found(table_or_arn);
    // Labels are creation times (ISO 8601): the newest sorts last.
    std::stable_sort(streams.begin(), streams.end(), [](const auto& a, const auto& b) {
        return a.stream_label.value_or("") > b.stream_label.value_or("");
    });
    for (const auto& s : streams) {
        describe_stream_request d;
        d.stream_arn = s.stream_arn;
        d.limit = 1;
        auto described = co_await c.describe_stream(std::move(d));
        if (described.stream_description.stream_status == stream_status::enabled)
            co_return s.stream_arn;
    }
    co_return streams.front().stream_arn;
}

} // namespace ddb
