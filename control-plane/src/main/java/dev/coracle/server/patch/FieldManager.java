package dev.coracle.server.patch;

import dev.coracle.server.api.ApiException;
import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.patch.FieldSets.Comparison;
import dev.coracle.server.patch.ManagedFields.Entry;
import dev.coracle.server.patch.ManagedFields.Key;
import dev.coracle.server.registry.ResourceType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Field ownership as kube-apiserver's field manager keeps it in {@code metadata.managedFields}.
 *
 * <ul>
 * <li>{@link #update}: bookkeeping for create, update and the non-apply patches: the fields the write adds or
 * changes move to the writer's {@code Update} entry; removed fields leave every entry.</li>
 * <li>{@link #apply}: server-side apply: merges the configuration into the live object (or an empty one: the
 * apply creates), records it as the manager's {@code Apply} entry, removes what the manager applied before and no
 * longer applies when nobody else owns it, and refuses (409) to change fields other managers own unless
 * {@code force}, in which case their ownership moves.</li>
 * </ul>
 * Never owned: {@code apiVersion}, {@code kind}, {@code metadata.name|namespace|uid|resourceVersion|generation|
 * creationTimestamp|selfLink|managedFields}, and {@code status} (or, through the {@code status} subresource,
 * {@code spec}). Pure functions of their arguments and the clock; nothing here touches storage.
 */
public final class FieldManager {

    public static final String LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
    static final String BEFORE_FIRST_APPLY = "before-first-apply";
    static final int FIELD_MANAGER_MAX_LENGTH = 128;

    private static final FieldSet STRIPPED = stripped();

    private final Clock clock;
    private final CreatedShapes createdShapes = new CreatedShapes();

    public FieldManager() {
        this(Clock.systemUTC());
    }

    public FieldManager(Clock clock) {
        this.clock = clock;
    }

    // ---------------------------------------------------------------- update

    /** {@link #update(ObjectNode, ObjectNode, String, ResourceType, String)} through the main resource. */
    public ObjectNode update(ObjectNode liveOrNull, ObjectNode updated, String manager, ResourceType type) {
        return update(liveOrNull, updated, manager, type, null);
    }

    /**
     * The object to store for a create ({@code liveOrNull} null), update or non-apply patch by {@code manager},
     * with its managed fields brought up to date. Call it with the object as it will be stored (defaults set).
     * Managed fields the writer sent itself are kept when they decode (through the main resource only);
     * {@code [{}]} clears them. As in Kubernetes, an existing object that has no managed fields stays untracked.
     *
     * @param subresource null for the main resource, or e.g. {@code "status"}, {@code "scale"}
     */
    public ObjectNode update(ObjectNode liveOrNull, ObjectNode updated, String manager, ResourceType type, String subresource) {
        return record(liveOrNull, updated.deepCopy(), manager, type, subresource);
    }

    /**
     * The managed fields of a create through the main resource, written into {@code created} (the object as it will be
     * stored): every field it has belongs to {@code manager}, but for those at the JSON pointers {@code unowned}, which
     * admission filled in after the field manager would have run in Kubernetes.
     */
    public void created(ObjectNode created, List<String> unowned, String manager, ResourceType type) {
        ObjectNode seen = created.deepCopy();
        for (String pointer : unowned) {
            int slash = pointer.lastIndexOf('/');
            if (seen.at(pointer.substring(0, slash)) instanceof ObjectNode parent) {
                parent.remove(pointer.substring(slash + 1));
            }
        }
        JsonNode managedFields = record(null, seen, manager, type, null).path("metadata").get("managedFields");
        ObjectNode meta = created.get("metadata") instanceof ObjectNode m ? m : created.putObject("metadata");
        if (managedFields == null) {
            meta.remove("managedFields");
        } else {
            meta.set("managedFields", managedFields);
        }
    }

    /** {@link #update}'s bookkeeping on {@code result}, a copy of the updated object that it changes and returns. */
    private ObjectNode record(ObjectNode liveOrNull, ObjectNode result, String manager, ResourceType type, String subresource) {
        if (ManagedFields.isReset(result)) {
            ManagedFields.removeFrom(result);
            return result;
        }
        boolean viaSubresource = subresource != null && !subresource.isEmpty();
        ManagedFields managed = null;
        if (!viaSubresource && ManagedFields.hasEntries(result)) {
            try {
                managed = ManagedFields.decode(result.path("metadata").get("managedFields"));
            } catch (IllegalArgumentException e) {
                managed = null;
            }
        }
        if (managed == null || managed.isEmpty()) {
            managed = liveOrNull == null ? new ManagedFields() : ManagedFields.of(liveOrNull);
        }
        ObjectNode live = liveOrNull == null ? Json.object() : liveOrNull.deepCopy();
        ManagedFields.removeFrom(live);
        ManagedFields.removeFrom(result);
        if (managed.isEmpty() && liveOrNull != null && !live.path("metadata").path("uid").asString("").isEmpty()) {
            return result;
        }
        Schema schema = Schema.of(type.modelClass());
        List<List<PathElement>> ignored = ignored(subresource);
        Key key = Key.update(manager, type.apiVersion(), subresource);
        if (liveOrNull == null && managed.isEmpty()) {
            ObjectNode fieldsV1 = createdShapes.fieldsV1(type.apiVersion() + "/" + type.kind() + "/" + subresource, result, schema,
                    () -> FieldSets.compare(live, result, schema).without(ignored).addedOrModified().difference(STRIPPED).toFieldsV1());
            managed.writeTo(result, key, type.apiVersion(), now(), fieldsV1);
            return result;
        }
        Comparison changes = FieldSets.compare(live, result, schema).without(ignored);
        recordUpdate(managed, changes, key, type.apiVersion());
        managed.capUpdateManagers();
        managed.writeTo(result);
        return result;
    }

    private void recordUpdate(ManagedFields managed, Comparison changes, Key key, String apiVersion) {
        FieldSet taken = changes.addedOrModified();
        for (Entry e : managed.entries()) {
            e.fields = e.fields.difference(taken).difference(changes.removed());
            managed.put(e);
        }
        FieldSet owned = taken.difference(STRIPPED);
        if (!owned.isEmpty()) {
            Entry previous = managed.get(key);
            managed.put(new Entry(key, apiVersion, now(), previous == null ? owned : previous.fields.union(owned)));
        }
    }

    // ---------------------------------------------------------------- apply

    /** Server-side apply of a request body (YAML or JSON) through the main resource. */
    public ApplyResult apply(ObjectNode liveOrNull, byte[] body, String manager, boolean force, ResourceType type) {
        JsonNode config = Json.parseYaml(body);
        if (!(config instanceof ObjectNode object)) {
            throw ApiException.badRequest("error decoding YAML: json: cannot unmarshal "
                    + (config.isArray() ? "array" : "string") + " into Go value of type map[string]interface {}");
        }
        return apply(liveOrNull, object, manager, force, type, null);
    }

    /** Server-side apply of a decoded configuration through the main resource. */
    public ApplyResult apply(ObjectNode liveOrNull, ObjectNode config, String manager, boolean force, ResourceType type) {
        return apply(liveOrNull, config, manager, force, type, null);
    }

    /**
     * Server-side apply of {@code config} by {@code manager} onto {@code liveOrNull} (null: the object does not
     * exist and the apply creates it). Returns the object to store; the caller then defaults, validates and
     * stores it. Throws 400 for a configuration of another kind or version or carrying managed fields,
     * 409 for conflicts without {@code force}.
     */
    public ApplyResult apply(ObjectNode liveOrNull, ObjectNode config, String manager, boolean force, ResourceType type,
                             String subresource) {
        checkConfig(config, type);
        Schema schema = Schema.of(type.modelClass());
        boolean created = liveOrNull == null;
        ObjectNode live = created ? Json.object() : liveOrNull.deepCopy();
        ManagedFields managed = created ? new ManagedFields() : ManagedFields.of(live);
        ManagedFields.removeFrom(live);
        List<List<PathElement>> ignored = ignored(subresource);
        if (managed.isEmpty() && !created) {
            // an object nobody tracked yet: its fields belong to "before-first-apply", so the apply can conflict with them
            Comparison existing = FieldSets.compare(Json.object(), live, schema).without(ignored);
            recordUpdate(managed, existing, Key.update(BEFORE_FIRST_APPLY, type.apiVersion(), subresource), type.apiVersion());
        }
        Key key = Key.apply(manager, subresource);
        ObjectNode result;
        ManagedFields after = managed.copy();
        try {
            result = applyOnce(live, config, after, key, force, schema, type, ignored);
        } catch (Conflicts conflicts) {
            Conflicts remaining = "kubectl".equals(manager) ? conflicts.without(allowedByLastApplied(live, schema)) : conflicts;
            if (remaining != null) {
                throw remaining.toApiException();
            }
            after = managed.copy();
            result = applyOnce(live, config, after, key, true, schema, type, ignored);
        } catch (FieldSets.ShapeException e) {
            throw ApiException.badRequest("failed to create typed patch object (" + gvk(type.apiVersion(), type.kind()) + "): " + e.getMessage());
        }
        if ("kubectl".equals(manager)) {
            syncLastApplied(result, config);
        }
        after.capUpdateManagers();
        after.writeTo(result);
        return new ApplyResult(result, created, created || !Json.equal(liveOrNull, result));
    }

    private ObjectNode applyOnce(ObjectNode live, ObjectNode config, ManagedFields managed, Key key, boolean force,
                                 Schema schema, ResourceType type, List<List<PathElement>> ignored) {
        ObjectNode merged = ApplyMerge.merge(live, config, schema);
        FieldSet applied = FieldSets.of(config, schema).withoutPrefixes(ignored);
        Entry previous = managed.get(key);
        FieldSet last = previous == null ? FieldSet.empty() : previous.fields;
        Entry mine = new Entry(key, type.apiVersion(), previous == null ? null : previous.time, applied);
        managed.put(mine);
        if (!last.isEmpty()) {
            FieldSet owned = managed.union().union(applied).withNamedFieldsAsMembers(schema);
            ApplyMerge.prune(merged, schema, last.withNamedFieldsAsMembers(schema), owned);
        }
        Comparison changes = FieldSets.compare(live, merged, schema).without(ignored);
        FieldSet taken = changes.addedOrModified();
        Map<Key, FieldSet> conflicts = new LinkedHashMap<>();
        for (Entry e : managed.entries()) {
            if (!e.key.equals(key)) {
                FieldSet conflict = e.fields.intersection(taken);
                if (!conflict.isEmpty()) {
                    conflicts.put(e.key, conflict);
                }
            }
        }
        if (!force && !conflicts.isEmpty()) {
            throw new Conflicts(conflicts);
        }
        for (Entry e : managed.entries()) {
            if (!e.key.equals(key)) {
                FieldSet lost = conflicts.getOrDefault(e.key, FieldSet.empty());
                e.fields = e.fields.difference(lost).difference(changes.removed());
                managed.put(e);
            }
        }
        mine.fields = applied.difference(STRIPPED);
        if (mine.time == null || !Json.equal(live, merged)) {
            mine.time = now();
        }
        managed.put(mine);
        return merged;
    }

    /**
     * kubectl's upgrade from client-side to server-side apply: conflicts on fields whose live value is still what
     * the last-applied annotation says were the applier's own, so they do not count (Kubernetes' lastAppliedManager).
     */
    private static FieldSet allowedByLastApplied(ObjectNode live, Schema schema) {
        JsonNode annotation = live.path("metadata").path("annotations").get(LAST_APPLIED_ANNOTATION);
        if (annotation == null || !annotation.isString() || annotation.stringValue().isEmpty()) {
            return FieldSet.empty();
        }
        try {
            JsonNode lastApplied = Json.MAPPER.readTree(annotation.stringValue());
            if (!(lastApplied instanceof ObjectNode)) {
                return FieldSet.empty();
            }
            Comparison differences = FieldSets.compare(lastApplied, live, schema);
            return FieldSets.of(lastApplied, schema)
                    .difference(differences.modified()).difference(differences.added()).difference(differences.removed());
        } catch (RuntimeException e) {
            return FieldSet.empty();
        }
    }

    /** After {@code kubectl apply --server-side}, keep an existing last-applied annotation in step with what was applied. */
    private static void syncLastApplied(ObjectNode result, ObjectNode config) {
        if (!(result.path("metadata").path("annotations") instanceof ObjectNode annotations)
                || !annotations.has(LAST_APPLIED_ANNOTATION)) {
            return;
        }
        ObjectNode lastApplied = config.deepCopy();
        if (lastApplied.path("metadata").path("annotations") instanceof ObjectNode own) {
            own.remove(LAST_APPLIED_ANNOTATION);
        }
        annotations.put(LAST_APPLIED_ANNOTATION, Json.canonical(lastApplied) + "\n");
    }

    private static void checkConfig(ObjectNode config, ResourceType type) {
        String apiVersion = config.path("apiVersion").asString("");
        String kind = config.path("kind").asString("");
        if (!apiVersion.equals(type.apiVersion()) || !kind.equals(type.kind())) {
            throw ApiException.badRequest("invalid object type: " + gvk(apiVersion, kind));
        }
        JsonNode managedFields = config.path("metadata").get("managedFields");
        if (managedFields != null && !managedFields.isNull()) {
            throw ApiException.badRequest("metadata.managedFields must be nil");
        }
    }

    // ---------------------------------------------------------------- options

    /**
     * Validates a PATCH's {@code fieldManager} and {@code force} as kube-apiserver's ValidatePatchOptions does:
     * 422 {@code PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch},
     * {@code force: Forbidden: may not be specified for non-apply patch}, too long or unprintable managers.
     */
    public static void validatePatchOptions(PatchType type, String fieldManager, Boolean force) {
        List<FieldError> errors = new ArrayList<>();
        if (type != PatchType.APPLY_PATCH) {
            if (force != null) {
                errors.add(FieldError.forbidden("force", "may not be specified for non-apply patch"));
            }
        } else if (fieldManager == null || fieldManager.isEmpty()) {
            errors.add(FieldError.required("fieldManager", "is required for apply patch"));
        }
        errors.addAll(fieldManagerErrors(fieldManager));
        if (!errors.isEmpty()) {
            throw ApiException.invalid("PatchOptions.meta.k8s.io", "", errors);
        }
    }

    /** Validates the {@code fieldManager} of a create or update ({@code optionsKind} "CreateOptions" or "UpdateOptions"). */
    public static void validateFieldManager(String optionsKind, String fieldManager) {
        List<FieldError> errors = fieldManagerErrors(fieldManager);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(optionsKind + ".meta.k8s.io", "", errors);
        }
    }

    private static List<FieldError> fieldManagerErrors(String fieldManager) {
        List<FieldError> errors = new ArrayList<>();
        if (fieldManager == null || fieldManager.isEmpty()) {
            return errors;
        }
        if (fieldManager.length() > FIELD_MANAGER_MAX_LENGTH) {
            errors.add(new FieldError("FieldValueTooLong", "fieldManager",
                    "Too long: may not be more than " + FIELD_MANAGER_MAX_LENGTH + " bytes"));
        }
        if (!fieldManager.codePoints().allMatch(FieldManager::printable)) {
            errors.add(FieldError.invalid("fieldManager", fieldManager, "must only contain printable characters"));
        }
        return errors;
    }

    /**
     * The manager of a write: the {@code fieldManager} parameter, else the User-Agent up to its first {@code /}
     * (printable characters, at most 128 bytes), as kube-apiserver derives it ({@code kubectl/v1.32.0 ...} is {@code kubectl}).
     */
    public static String managerFor(String fieldManager, String userAgent) {
        if (fieldManager != null && !fieldManager.isEmpty()) {
            return fieldManager;
        }
        if (userAgent == null) {
            return "";
        }
        String prefix = userAgent.split("/", 2)[0];
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        for (int cp : prefix.codePoints().toArray()) {
            if (!printable(cp)) {
                continue;
            }
            int len = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes + len > FIELD_MANAGER_MAX_LENGTH) {
                break;
            }
            out.appendCodePoint(cp);
            bytes += len;
        }
        return out.toString();
    }

    private static boolean printable(int cp) {
        if (cp == ' ') {
            return true;
        }
        int t = Character.getType(cp);
        return !Character.isISOControl(cp) && !Character.isWhitespace(cp) && t != Character.UNASSIGNED
                && t != Character.FORMAT && t != Character.SURROGATE && t != Character.PRIVATE_USE
                && t != Character.LINE_SEPARATOR && t != Character.PARAGRAPH_SEPARATOR && t != Character.SPACE_SEPARATOR;
    }

    // ---------------------------------------------------------------- helpers

    private String now() {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS));
    }

    /** Reset fields: {@code status} through the main resource, {@code spec} through {@code /status}. */
    private static List<List<PathElement>> ignored(String subresource) {
        return "status".equals(subresource) ? List.of(List.of(PathElement.field("spec"))) : List.of(List.of(PathElement.field("status")));
    }

    private static FieldSet stripped() {
        FieldSet s = FieldSet.empty();
        s.insert(List.of(PathElement.field("apiVersion")));
        s.insert(List.of(PathElement.field("kind")));
        s.insert(List.of(PathElement.field("metadata")));
        for (String f : List.of("name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
                "managedFields", "resourceVersion")) {
            s.insert(List.of(PathElement.field("metadata"), PathElement.field(f)));
        }
        return s;
    }

    private static String gvk(String apiVersion, String kind) {
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
        return group + "/" + version + ", Kind=" + kind;
    }
}
