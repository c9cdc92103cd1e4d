#include "kernel/plugins/handler_metrics.hpp"

#include "kernel/core/prometheus_text.hpp"

namespace switchboard::kernel::plugins {

std::string handler_metrics::labels() const {
    return "plugin=\"" + escape_label_value(plugin) + "\",namespace=\"" + escape_label_value(nsp) + "\",event=\"" +
           escape_label_value(event) + "\",mode=\"" + std::string(mode) + "\"";
}

}  // namespace switchboard::kernel::plugins
