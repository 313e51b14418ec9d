package dev.coracle.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A table as {@code kubectl get} prints it: a header row of column names, then one row per object,
 * columns aligned (Go's tabwriter) so each cell starts where its header starts. Cells may be empty.
 * Several tables separated by blank lines ({@code kubectl get all}) parse with {@link #parseAll}.
 */
public record Table(List<String> columns, List<Map<String, String>> rows) {

    private static final Pattern COLUMN = Pattern.compile("\\S+(?: \\S+)*");

    public static Table parse(String output) {
        List<Table> tables = parseAll(output);
        if (tables.size() != 1) {
            throw new AssertionError("expected one table, got " + tables.size() + ":\n" + output);
        }
        return tables.get(0);
    }

    public static List<Table> parseAll(String output) {
        List<Table> tables = new ArrayList<>();
        List<String> block = new ArrayList<>();
        for (String line : output.split("\n", -1)) {
            if (line.isBlank()) {
                if (!block.isEmpty()) {
                    tables.add(of(block));
                    block = new ArrayList<>();
                }
            } else {
                block.add(line);
            }
        }
        if (!block.isEmpty()) {
            tables.add(of(block));
        }
        return tables;
    }

    private static Table of(List<String> lines) {
        String header = lines.get(0);
        List<String> names = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        Matcher m = COLUMN.matcher(header);
        while (m.find()) {
            names.add(m.group());
            starts.add(m.start());
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                int from = Math.min(starts.get(i), line.length());
                int to = i + 1 < names.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
                row.put(names.get(i), line.substring(from, to).trim());
            }
            rows.add(row);
        }
        return new Table(names, rows);
    }

    /** The values of one column, top to bottom. */
    public List<String> column(String name) {
        if (!columns.contains(name)) {
            throw new AssertionError("no column " + name + " in " + columns);
        }
        return rows.stream().map(r -> r.get(name)).toList();
    }

    /** The row whose NAME is {@code name}. */
    public Map<String, String> row(String name) {
        return rows.stream().filter(r -> name.equals(r.get("NAME"))).findFirst()
                .orElseThrow(() -> new AssertionError("no row named " + name + " in " + rows));
    }
}
