#include "kernel/api/status_report.hpp"

#include <sstream>

namespace switchboard::kernel::api {

namespace {

using json = nlohmann::json;

std::uint64_t number(const json& object, const char* key) {
    const auto found = object.find(key);
    return found != object.end() && found->is_number() ? found->get<std::uint64_t>() : 0;
}

std::string text(const json& object, const char* key) {
    const auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::string plural(std::uint64_t count, const std::string& one, const std::string& many) {
    return std::to_string(count) + " " + (count == 1 ? one : many);
}

// "a 1, b 2", or "none".
std::string counts(const json& object) {
    if (!object.is_object() || object.empty()) return "none";
    std::string out;
    for (const auto& [name, count] : object.items()) {
        if (!out.empty()) out += ", ";
        out += name + " " + std::to_string(count.is_number() ? count.get<std::uint64_t>() : 0);
    }
    return out;
}

std::string bytes(std::uint64_t count) {
    if (count < 10 * 1024) return std::to_string(count) + " B";
    if (count < 10 * 1024 * 1024) return std::to_string(count / 1024) + " KiB";
    return std::to_string(count / (1024 * 1024)) + " MiB";
}

}  // namespace

std::string format_uptime(long long seconds) {
    if (seconds < 0) seconds = 0;
    const long long days = seconds / 86400, hours = seconds % 86400 / 3600, minutes = seconds % 3600 / 60;
    if (days) return std::to_string(days) + "d " + std::to_string(hours) + "h";
    if (hours) return std::to_string(hours) + "h " + std::to_string(minutes) + "m";
    if (minutes) return std::to_string(minutes) + "m " + std::to_string(seconds % 60) + "s";
    return std::to_string(seconds) + "s";
}

std::string format_status(const json& status, const std::string& where) {
    std::ostringstream out;
    out << "switchboard " << text(status, "version") << " at " << where << " (pid " << number(status, "pid") << ", up "
        << format_uptime(static_cast<long long>(number(status, "uptime_seconds"))) << ", "
        << plural(number(status, "workers"), "worker", "workers") << ")\n";
    const json sessions = status.value("sessions", json::object());
    out << "sessions:     " << number(sessions, "polling") + number(sessions, "websocket") << " (polling "
        << number(sessions, "polling") << ", websocket " << number(sessions, "websocket") << ")\n";
    out << "sockets:      " << number(status, "sockets") << "\n";
    out << "namespaces:\n";
    for (const auto& nsp : status.value("namespaces", json::array()))
        out << "  " << text(nsp, "name") << ": " << plural(number(nsp, "sockets"), "socket", "sockets") << ", "
            << plural(number(nsp, "rooms"), "room", "rooms") << "\n";
    const json plugins = status.value("plugins", json::array());
    out << "plugins:" << (plugins.empty() ? " none\n" : "\n");
    for (const auto& p : plugins) {
        out << "  " << text(p, "name");
        if (!text(p, "version").empty()) out << " " << text(p, "version");
        if (text(p, "state") == "loaded")
            out << ": loaded, " << plural(number(p, "failures"), "failure", "failures") << ", "
                << plural(number(p, "reloads"), "reload", "reloads") << "\n";
        else
            out << ": LEFT OUT: " << text(p, "problem") << "\n";
    }
    const json cluster = status.value("cluster", json::object());
    if (text(cluster, "adapter") == "none" || text(cluster, "adapter").empty()) {
        out << "cluster:      none (this node alone)\n";
    } else {
        const bool connected = cluster.value("connected", false);
        out << "cluster:      " << text(cluster, "adapter") << ", node " << text(cluster, "node") << ": "
            << (connected ? "connected to Redis" : "NOT CONNECTED to Redis") << " ("
            << plural(number(cluster, "outages"), "outage", "outages") << ", "
            << plural(number(cluster, "request_timeouts"), "request timeout", "request timeouts") << ", "
            << number(cluster, "messages_lost") << " messages lost)\n";
    }
    if (const auto recovery = status.find("recovery"); recovery != status.end())
        out << "recovery:     " << number(*recovery, "recovered") << " recovered, "
            << number(*recovery, "replayed_events") << " events replayed; not recovered: "
            << counts(recovery->value("not_recovered", json::object())) << "\n";
    else
        out << "recovery:     off\n";
    const json backpressure = status.value("backpressure", json::object());
    out << "backpressure: outgoing queues " << bytes(number(backpressure, "outgoing_queue_bytes")) << ", "
        << number(backpressure, "volatile_dropped") << " volatile packets dropped, "
        << number(backpressure, "pool_queued_events") << " events waiting for the pool, "
        << number(backpressure, "read_pauses") << " read pauses\n";
    out << "refused:      " << counts(backpressure.value("refused", json::object())) << "\n";
    out << "CONNECT refused: " << counts(status.value("connect_refused", json::object())) << "\n";
    return out.str();
}

}  // namespace switchboard::kernel::api
