// The error code of an exception (<ddb/core/async_run.hpp>).
#include <ddb/core/async_run.hpp>
#include <ddb/core/errc.hpp>

#include <boost/asio/error.hpp>
#include <boost/system/errc.hpp>
#include <boost/system/system_error.hpp>

#include <new>
#include <system_error>

namespace ddb {

error_code error_code_of(const std::exception_ptr& e) noexcept {
    if (!e)
        return {};
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& x) {
        return x.code();
    } catch (const std::bad_alloc&) {
        return make_error_code(boost::system::errc::not_enough_memory);
    } catch (const std::system_error& x) {
        return error_code(x.code());
    } catch (...) {
    }
    return {static_cast<int>(errc::unexpected_exception), condition_category()};
}

namespace detail {

void throw_if_cancelled_early(const cancel_record* record, cancellation_support support) {
    if (!record)
        return;
    using ct = boost::asio::cancellation_type;
    auto honoured = static_cast<unsigned>(ct::terminal | ct::partial);
    if (support == cancellation_support::all)
        honoured |= static_cast<unsigned>(ct::total);
    if (record->emitted.load(std::memory_order_acquire) & honoured)
        throw boost::system::system_error(boost::asio::error::operation_aborted);
}

} // namespace detail
} // namespace ddb
