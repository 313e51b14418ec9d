package dev.coracle.server.scheduler.filter;

import java.util.List;

/**
 * Why a node does not fit a pod, as a filter plugin's {@code framework.Status}: {@code resolvable} is
 * kube-scheduler's Unschedulable (removing lower-priority pods might help), otherwise it is
 * UnschedulableAndUnresolvable. Success is {@code null}. {@code plugin} names the filter that said it.
 */
public record FilterStatus(boolean resolvable, List<String> reasons, String plugin) {

    public FilterStatus(boolean resolvable, List<String> reasons) {
        this(resolvable, reasons, null);
    }

    public static FilterStatus unresolvable(String reason) {
        return new FilterStatus(false, List.of(reason));
    }

    public static FilterStatus resolvable(String reason) {
        return new FilterStatus(true, List.of(reason));
    }

    /** This status as said by {@code plugin}. */
    public FilterStatus from(String plugin) {
        return plugin.equals(this.plugin) ? this : new FilterStatus(resolvable, reasons, plugin);
    }
}
