package dev.coracle.dashboard.web;

import dev.coracle.dashboard.cluster.ApiProblem;
import dev.coracle.dashboard.metrics.Chart;
import dev.coracle.dashboard.metrics.Series;
import org.springframework.ui.Model;

import java.util.List;
import java.util.function.Supplier;

/** Puts a series' CPU and memory charts on a page, or why there are none. */
final class Charts {

    private Charts() {
    }

    record Pair(String title, Chart cpu, Chart memory, String source) {
    }

    static Pair pair(Supplier<Series> series, String title) {
        Series s = series.get();
        if (s.unavailable() != null) {
            return null;
        }
        return new Pair(title, Chart.cpu("CPU — " + title, s.points()), Chart.memory("Memory — " + title, s.points()), s.source());
    }

    static void add(Model model, Supplier<Series> series, String title) {
        try {
            Series s = series.get();
            if (s.unavailable() != null) {
                model.addAttribute("metricsUnavailable", s.unavailable());
                model.addAttribute("charts", List.of());
                return;
            }
            model.addAttribute("charts", List.of(new Pair(title, Chart.cpu("CPU — " + title, s.points()),
                    Chart.memory("Memory — " + title, s.points()), s.source())));
        } catch (ApiProblem e) {
            model.addAttribute("metricsUnavailable", (e.code() == 0 ? "" : e.code() + ": ") + e.getMessage());
            model.addAttribute("charts", List.of());
        }
    }
}
