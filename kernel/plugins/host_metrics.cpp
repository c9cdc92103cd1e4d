#include "kernel/plugins/plugin_host.hpp"

#include "kernel/core/prometheus_text.hpp"

namespace switchboard::kernel::plugins {

using nlohmann::json;

void plugin_host::add_to_counter(const std::string& name, std::int64_t delta) {
    std::lock_guard lock(counters_mutex_);
    counters_[name] += delta;
}

std::string plugin_host::handler_metrics_text() const {
    std::vector<const handler_metrics*> all;
    for (const auto* h : registry_.all_handlers()) all.push_back(h->metrics.get());
    std::string out =
        "# HELP switchboard_plugin_events_total Client events a plugin handler ran for, by registered event name.\n"
        "# TYPE switchboard_plugin_events_total counter\n";
    for (const auto* m : all)
        out += "switchboard_plugin_events_total{" + m->labels() + "} " +
               std::to_string(m->calls.load(std::memory_order_relaxed)) + "\n";
    out += "# HELP switchboard_plugin_handler_seconds How long plugin event handlers ran.\n"
           "# TYPE switchboard_plugin_handler_seconds histogram\n";
    for (const auto* m : all) m->run.write(out, "switchboard_plugin_handler_seconds", m->labels());
    out += "# HELP switchboard_plugin_handler_wait_seconds How long pooled events waited for a handler thread.\n"
           "# TYPE switchboard_plugin_handler_wait_seconds histogram\n";
    for (const auto* m : all)
        if (m->mode == "pooled") m->wait.write(out, "switchboard_plugin_handler_wait_seconds", m->labels());
    out += "# HELP switchboard_plugin_pool_queued_events Pooled events waiting for a handler thread now.\n"
           "# TYPE switchboard_plugin_pool_queued_events gauge\n"
           "switchboard_plugin_pool_queued_events " +
           std::to_string(dispatcher_->pooled_waiting()) + "\n";
    return out;
}

// Per loaded plugin: reloads, failed host calls, database statement times.
std::string plugin_host::instance_metrics_text() const {
    std::string out;
    using prometheus::append_family;
    using prometheus::append_sample;
    auto label_of = [](const plugin_instance& p) { return "plugin=\"" + escape_label_value(p.name) + "\""; };
    append_family(out, "switchboard_plugin_reloads_total", "counter", "Reloads (SIGHUP, switchboard reload) asked of a plugin.");
    for (const auto& p : instances_) append_sample(out, "switchboard_plugin_reloads_total", label_of(*p), p->reloads.load());
    append_family(out, "switchboard_plugin_failures_total", "counter",
                  "Calls of a plugin into the server that failed with an error (each is logged).");
    for (const auto& p : instances_) append_sample(out, "switchboard_plugin_failures_total", label_of(*p), p->failures.load());
    append_family(out, "switchboard_db_statement_seconds", "histogram",
                  "How long a plugin's database statements took, the wait for a connection included.");
    for (const auto& p : instances_) p->db_statements.write(out, "switchboard_db_statement_seconds", label_of(*p));
    return out;
}

std::string plugin_host::metrics_text() const {
    std::string out = handler_metrics_text();
    out += instance_metrics_text();
    prometheus::append_single(out, "switchboard_read_pauses_total", "counter",
                              "Times a client's reading paused for its pooled handlers to catch up.",
                              dispatcher_->read_pauses());
    std::lock_guard lock(counters_mutex_);
    for (const auto& [name, value] : counters_)
        prometheus::append_single(out, name, "counter", "A counter a plugin publishes.", value);
    return out;
}

}  // namespace switchboard::kernel::plugins
