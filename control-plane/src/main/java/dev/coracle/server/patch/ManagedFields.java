package dev.coracle.server.patch;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An object's {@code metadata.managedFields}: one entry per manager identity with the fields it owns, decoded from
 * and encoded to Kubernetes' wire format ({@code manager}, {@code operation}, {@code apiVersion}, {@code time},
 * {@code fieldsType: FieldsV1}, {@code fieldsV1}, {@code subresource}). As in kube-apiserver an {@code Apply} entry
 * is identified by manager and subresource, an {@code Update} entry also by its API version.
 */
public final class ManagedFields {

    static final String APPLY = "Apply";
    static final String UPDATE = "Update";

    /** Kubernetes' cap on {@code Update} entries; older ones are merged into {@code ancient-changes}. */
    static final int MAX_UPDATE_MANAGERS = 10;
    static final String ANCIENT_CHANGES = "ancient-changes";

    record Key(String manager, String operation, String apiVersion, String subresource) {

        static Key apply(String manager, String subresource) {
            return new Key(manager, APPLY, "", subresource == null ? "" : subresource);
        }

        static Key update(String manager, String apiVersion, String subresource) {
            return new Key(manager, UPDATE, apiVersion, subresource == null ? "" : subresource);
        }

        boolean isApply() {
            return APPLY.equals(operation);
        }

        /** How conflict messages name the manager: {@code "kubectl"}, {@code "x" with subresource "status" using apps/v1}. */
        String describe() {
            String s = Json.quote(manager);
            if (!subresource.isEmpty()) {
                s += " with subresource " + Json.quote(subresource);
            }
            if (!isApply()) {
                s += " using " + apiVersion;
            }
            return s;
        }
    }

    static final class Entry {
        final Key key;
        String apiVersion;
        String time;
        FieldSet fields;

        Entry(Key key, String apiVersion, String time, FieldSet fields) {
            this.key = key;
            this.apiVersion = apiVersion;
            this.time = time;
            this.fields = fields;
        }

        Entry copy() {
            return new Entry(key, apiVersion, time, fields);
        }
    }

    private final Map<Key, Entry> entries = new LinkedHashMap<>();

    /** Decodes {@code metadata.managedFields}; throws IllegalArgumentException for entries Kubernetes would reject. */
    static ManagedFields decode(JsonNode managedFields) {
        ManagedFields out = new ManagedFields();
        if (managedFields == null || managedFields.isNull()) {
            return out;
        }
        if (!managedFields.isArray()) {
            throw new IllegalArgumentException("managedFields must be a list");
        }
        int i = 0;
        for (JsonNode e : managedFields) {
            String operation = text(e, "operation");
            if (!APPLY.equals(operation) && !UPDATE.equals(operation)) {
                throw new IllegalArgumentException("operation must be `Apply` or `Update`");
            }
            String apiVersion = text(e, "apiVersion");
            if (apiVersion == null || apiVersion.isEmpty()) {
                throw new IllegalArgumentException("apiVersion must not be empty");
            }
            String fieldsType = text(e, "fieldsType");
            if (fieldsType == null || fieldsType.isEmpty()) {
                throw new IllegalArgumentException("missing fieldsType in managed fields entry " + i);
            }
            if (!fieldsType.equals("FieldsV1")) {
                throw new IllegalArgumentException("invalid fieldsType \"" + fieldsType + "\" in managed fields entry " + i);
            }
            String manager = Objects.requireNonNullElse(text(e, "manager"), "");
            String subresource = text(e, "subresource");
            Key key = APPLY.equals(operation) ? Key.apply(manager, subresource) : Key.update(manager, apiVersion, subresource);
            JsonNode fieldsV1 = e.get("fieldsV1");
            FieldSet fields = fieldsV1 == null || fieldsV1.isNull() ? FieldSet.empty() : FieldSet.fromFieldsV1(fieldsV1);
            out.entries.put(key, new Entry(key, apiVersion, text(e, "time"), fields));
            i++;
        }
        return out;
    }

    /** The managed fields of an object, or none when they cannot be decoded. */
    static ManagedFields of(ObjectNode object) {
        try {
            return decode(object.path("metadata").get("managedFields"));
        } catch (IllegalArgumentException e) {
            return new ManagedFields();
        }
    }

    /** Whether {@code metadata.managedFields} is the reset value {@code [{}]}. */
    static boolean isReset(ObjectNode object) {
        JsonNode mf = object.path("metadata").get("managedFields");
        return mf != null && mf.isArray() && mf.size() == 1 && mf.get(0).isObject() && mf.get(0).isEmpty();
    }

    static boolean hasEntries(ObjectNode object) {
        JsonNode mf = object.path("metadata").get("managedFields");
        return mf != null && mf.isArray() && !mf.isEmpty();
    }

    static void removeFrom(ObjectNode object) {
        if (object.get("metadata") instanceof ObjectNode meta) {
            meta.remove("managedFields");
        }
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    Entry get(Key key) {
        return entries.get(key);
    }

    List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    void put(Entry entry) {
        if (entry.fields.isEmpty()) {
            entries.remove(entry.key);
        } else {
            entries.put(entry.key, entry);
        }
    }

    ManagedFields copy() {
        ManagedFields out = new ManagedFields();
        entries.forEach((k, e) -> out.entries.put(k, e.copy()));
        return out;
    }

    FieldSet union() {
        FieldSet all = FieldSet.empty();
        for (Entry e : entries.values()) {
            all = all.union(e.fields);
        }
        return all;
    }

    /** Merges the oldest {@code Update} entries into {@code ancient-changes} until at most {@link #MAX_UPDATE_MANAGERS} remain. */
    void capUpdateManagers() {
        List<Entry> updaters = new ArrayList<>(entries.values().stream().filter(e -> !e.key.isApply()).toList());
        if (updaters.size() <= MAX_UPDATE_MANAGERS) {
            return;
        }
        updaters.sort(Comparator.comparing((Entry e) -> e.time == null ? "" : e.time).thenComparing(e -> e.key.manager()));
        int count = updaters.size();
        for (Entry oldest : updaters) {
            if (count <= MAX_UPDATE_MANAGERS) {
                break;
            }
            if (oldest.key.manager().equals(ANCIENT_CHANGES)) {
                continue;
            }
            Key bucketKey = Key.update(ANCIENT_CHANGES, oldest.apiVersion, "");
            Entry bucket = entries.get(bucketKey);
            entries.remove(oldest.key);
            if (bucket == null) {
                entries.put(bucketKey, new Entry(bucketKey, oldest.apiVersion, oldest.time, oldest.fields));
            } else {
                bucket.fields = bucket.fields.union(oldest.fields);
                bucket.time = oldest.time;
                count--;
            }
        }
    }

    /** Writes the entries into {@code metadata.managedFields} in Kubernetes' order (Apply first, then by time, manager). */
    void writeTo(ObjectNode object) {
        ObjectNode meta = object.get("metadata") instanceof ObjectNode m ? m : object.putObject("metadata");
        if (entries.isEmpty()) {
            meta.remove("managedFields");
            return;
        }
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparing((Entry e) -> e.key.operation())
                .thenComparing(e -> e.time == null ? "" : e.time)
                .thenComparing(e -> e.key.manager())
                .thenComparing(e -> e.apiVersion)
                .thenComparing(e -> e.key.subresource()));
        ArrayNode out = meta.putArray("managedFields");
        for (Entry e : sorted) {
            writeEntry(out, e.key, e.apiVersion, e.time, e.fields.toFieldsV1());
        }
    }

    /** Writes the only entry, its field set rendered already, or none when it is empty (as an empty set is not kept). */
    void writeTo(ObjectNode object, Key key, String apiVersion, String time, ObjectNode fieldsV1) {
        ObjectNode meta = object.get("metadata") instanceof ObjectNode m ? m : object.putObject("metadata");
        if (fieldsV1.isEmpty()) {
            meta.remove("managedFields");
            return;
        }
        writeEntry(meta.putArray("managedFields"), key, apiVersion, time, fieldsV1);
    }

    private static void writeEntry(ArrayNode out, Key key, String apiVersion, String time, ObjectNode fieldsV1) {
        ObjectNode node = out.addObject();
        node.put("manager", key.manager());
        node.put("operation", key.operation());
        node.put("apiVersion", apiVersion);
        if (time != null) {
            node.put("time", time);
        }
        node.put("fieldsType", "FieldsV1");
        node.set("fieldsV1", fieldsV1);
        if (!key.subresource().isEmpty()) {
            node.put("subresource", key.subresource());
        }
    }

    /**
     * The model objects of {@code metadata.managedFields} as {@link #writeTo} wrote them. Built by hand, each
     * {@code fieldsV1} keeping its JSON tree as is: decoding the field sets through Jackson's bean mapping cost as
     * much as decoding the whole object they belong to.
     */
    public static List<ManagedFieldsEntry> toModel(JsonNode managedFields) {
        if (managedFields == null || !managedFields.isArray()) {
            return null;
        }
        List<ManagedFieldsEntry> out = new ArrayList<>(managedFields.size());
        for (JsonNode node : managedFields) {
            ManagedFieldsEntry entry = new ManagedFieldsEntry();
            entry.setManager(text(node, "manager"));
            entry.setOperation(text(node, "operation"));
            entry.setApiVersion(text(node, "apiVersion"));
            entry.setTime(text(node, "time"));
            entry.setFieldsType(text(node, "fieldsType"));
            entry.setSubresource(text(node, "subresource"));
            if (node.get("fieldsV1") instanceof ObjectNode fields) {
                FieldsV1 fieldsV1 = new FieldsV1();
                fields.properties().forEach(p -> fieldsV1.setAdditionalProperty(p.getKey(), p.getValue()));
                entry.setFieldsV1(fieldsV1);
            }
            out.add(entry);
        }
        return out;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isString() ? v.stringValue() : null;
    }
}
