package dev.coracle.server.api;

import dev.coracle.server.api.ApiException.FieldError;
import dev.coracle.server.registry.Registry;
import dev.coracle.server.registry.ResourceStrategy;
import dev.coracle.server.registry.ResourceType;
import dev.coracle.server.registry.Validation;
import dev.coracle.server.patch.ApplyResult;
import dev.coracle.server.patch.FieldManager;
import dev.coracle.server.patch.ManagedFields;
import dev.coracle.server.patch.PatchType;
import dev.coracle.server.patch.Patcher;
import dev.coracle.server.selector.Attributes;
import dev.coracle.server.selector.FieldSelector;
import dev.coracle.server.selector.LabelSelector;
import dev.coracle.server.store.ObjectKey;
import dev.coracle.server.store.ObjectStore;
import dev.coracle.server.store.RevisionHistory;
import dev.coracle.server.store.StoreExceptions;
import dev.coracle.server.store.StoredObject;
import dev.coracle.server.store.Write;
import dev.coracle.server.watch.NamespaceStates;
import dev.coracle.server.watch.WatchCache;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Binding;
import org.springframework.stereotype.Service;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The verbs of the API on any resource — Kubernetes' generic registry: every write goes through
 * the same steps (decode, metadata rules, the resource's strategy, admission, store), so every
 * resource behaves alike where Kubernetes' do.
 */
@Service
public class ResourceService {

    private final ObjectStore store;
    private final RevisionHistory history;
    private final WatchCache watchCache;
    private final Registry registry;
    private final List<AdmissionHook> admission;
    private final FieldManager fields = new FieldManager();

    public ResourceService(ObjectStore store, RevisionHistory history, WatchCache watchCache, Registry registry,
                           List<AdmissionHook> admission) {
        this.store = store;
        this.history = history;
        this.watchCache = watchCache;
        this.registry = registry;
        this.admission = admission;
    }

    /**
     * A write's outcome: the object as stored (or as it would be, under dryRun), whether it was created, warnings.
     * A stored object is kept as the JSON the store holds, answered as it is and parsed only when asked for.
     */
    public static final class Outcome {
        private final String stored;
        private ObjectNode object;
        private final boolean created;
        private final List<String> warnings;

        Outcome(ObjectNode object, boolean created, List<String> warnings) {
            this(null, object, created, warnings);
        }

        private Outcome(String stored, ObjectNode object, boolean created, List<String> warnings) {
            this.stored = stored;
            this.object = object;
            this.created = created;
            this.warnings = warnings;
        }

        static Outcome stored(StoredObject stored, boolean created, List<String> warnings) {
            return new Outcome(stored.body(), null, created, warnings);
        }

        public ObjectNode object() {
            if (object == null) {
                object = Json.parseStored(stored);
            }
            return object;
        }

        /** What to answer with: the stored JSON text, or the object. */
        public Object body() {
            return stored != null ? stored : object;
        }

        public boolean created() {
            return created;
        }

        public List<String> warnings() {
            return warnings;
        }
    }

    // ---- reads ------------------------------------------------------------------------------

    public ObjectNode get(Call call) {
        StoredObject stored = store.get(call.key()).orElseThrow(call::notFound);
        return Json.parseStored(stored.body());
    }

    public ObjectStore.Page list(Call call, int limit, ObjectKey continueAfter) {
        Selectors selectors = selectors(call);
        String namespace = call.type().namespaced() ? call.info().namespace() : null;
        if (namespace == null && call.type().namespaced()) {
            namespace = selectors.fields().requiredValue("metadata.namespace");
        }
        String name = selectors.fields().requiredValue("metadata.name");
        if (name != null && (namespace != null || !call.type().namespaced())) {
            // one object at most: read it directly
            var key = new ObjectKey(call.type().storageKey(), namespace == null ? "" : namespace, name);
            long revision = store.currentRevision();
            List<StoredObject> one = store.get(key).filter(o -> selectors.matches(Attributes.decode(o.attrs()))).stream().toList();
            return new ObjectStore.Page(one, Math.max(revision, one.stream().mapToLong(StoredObject::revision).max().orElse(0)), null);
        }
        List<List<String>> attrsContain = selectors.labels().requiredPairs().entrySet().stream()
                .map(e -> Attributes.labelTexts(e.getKey(), e.getValue())).toList();
        // label pairs alone the database filters exactly; anything else is checked here on the decoded attributes
        boolean exactInSql = selectors.fields().isEverything() && selectors.labels().isOnlyPairs();
        return store.list(call.type().storageKey(), namespace,
                continueAfter == null ? null : continueAfter.namespace(), continueAfter == null ? null : continueAfter.name(),
                attrsContain, exactInSql ? o -> true : o -> selectors.matches(Attributes.decode(o.attrs())), limit);
    }

    /**
     * The list as it was at an older revision ({@code resourceVersionMatch=Exact}), rebuilt from the revision log;
     * a revision the store has not reached yet is the caller's to refuse.
     */
    public ObjectStore.Page listAt(Call call, long revision, int limit, ObjectKey continueAfter) {
        Selectors selectors = selectors(call);
        String namespace = call.type().namespaced() ? call.info().namespace() : null;
        if (namespace == null && call.type().namespaced()) {
            namespace = selectors.fields().requiredValue("metadata.namespace");
        }
        return history.listAt(call.type().storageKey(), namespace, revision,
                continueAfter == null ? null : continueAfter.namespace(), continueAfter == null ? null : continueAfter.name(),
                o -> selectors.matches(Attributes.decode(o.attrs())), limit);
    }

    public long currentRevision() {
        return store.currentRevision();
    }

    public record Selectors(LabelSelector labels, FieldSelector fields) {
        boolean everything() {
            return labels.isEverything() && fields.isEverything();
        }

        public boolean matches(Attributes a) {
            return labels.matches(a.labels()) && fields.matches(a.fields());
        }
    }

    public Selectors selectors(Call call) {
        Set<String> supported = new LinkedHashSet<>(List.of("metadata.name", "metadata.namespace"));
        supported.addAll(call.strategy().selectableFieldNames());
        return new Selectors(LabelSelector.parse(call.query().get("labelSelector")),
                FieldSelector.parse(call.query().get("fieldSelector"), supported, call.type().plural()));
    }

    // ---- writes -----------------------------------------------------------------------------

    public Outcome create(Call call, ObjectNode body) {
        return create(call, RequestBody.of(body));
    }

    /** POST: the body's {@code metadata.resourceVersion} must be unset, as etcd3's store.Create insists. */
    public Outcome create(Call call, RequestBody body) {
        List<String> warnings = new ArrayList<>();
        HasMetadata object = decodeForWrite(call, body.tree(), body, null, warnings);
        return ObjectStore.await(create(call, object, warnings, manager(call, "CreateOptions"), object.getMetadata().getResourceVersion()));
    }

    /**
     * POST without holding a thread while it commits, for the event loop: decoded here; checked and serialised here too
     * when nothing on the way may wait (else on a thread that may block: a dry run or an admission hook reading the
     * store, a namespace this server has not seen); the future completes on the store's committer thread.
     */
    public CompletableFuture<Outcome> createAsync(Call call, RequestBody body) {
        List<String> warnings = new ArrayList<>();
        HasMetadata object = decodeForWrite(call, body.tree(), body, null, warnings);
        String manager = manager(call, "CreateOptions");
        String resourceVersion = object.getMetadata().getResourceVersion();
        if (!mayWait(call, object)) {
            return create(call, object, warnings, manager, resourceVersion);
        }
        return CompletableFuture.supplyAsync(() -> create(call, object, warnings, manager, resourceVersion), MAY_BLOCK)
                .thenCompose(f -> f);
    }

    private static final java.util.concurrent.Executor MAY_BLOCK = task -> Schedulers.boundedElastic().schedule(task);

    private boolean mayWait(Call call, HasMetadata object) {
        if (call.query().dryRun()) {
            return true;
        }
        if (call.type().namespaced() && watchCache.namespace(object.getMetadata().getNamespace()) == NamespaceStates.State.UNKNOWN) {
            return true;
        }
        return admission.stream().anyMatch(h -> h.appliesTo(call.type()) && h.mayWait(object));
    }

    Outcome create(Call call, HasMetadata object, List<String> warnings, String manager) {
        return ObjectStore.await(create(call, object, warnings, manager, null));
    }

    /**
     * @param manager who the created fields belong to; null when server-side apply has recorded it already
     * @param resourceVersionSent what a POST body said in {@code metadata.resourceVersion}; null on the create paths of
     *                            PUT and apply, where Kubernetes' GuaranteedUpdate clears it instead
     */
    private CompletableFuture<Outcome> create(Call call, HasMetadata object, List<String> warnings, String manager,
                                              String resourceVersionSent) {
        ResourceStrategy<HasMetadata> strategy = call.strategy();
        ObjectMetaRules.beforeCreate(object, strategy.tracksGeneration());
        strategy.prepareForCreate(object);
        strategy.applyDefaults(object);
        validate(call, object, strategy.validate(object));
        requireLiveNamespace(call, object);
        ObjectKey key = call.key(object.getMetadata().getName());
        List<AdmissionHook> hooks = admission.stream().filter(h -> h.appliesTo(call.type())).toList();
        boolean dryRun = call.query().dryRun();
        if ((dryRun || hooks.stream().anyMatch(AdmissionHook::reserves)) && store.get(key).isPresent()) {
            // otherwise the store's own check, in the write, answers: one round trip fewer per create
            throw ApiException.alreadyExists(call.type().group(), call.type().plural(), key.name());
        }
        List<String> assigned = new ArrayList<>();
        for (AdmissionHook hook : hooks) {
            assigned.addAll(hook.beforeCreate(object, call.user(), dryRun));
        }
        // the object's one serialisation: its managed fields are found in it, and it is what is stored
        ObjectNode tree = Json.toTree(object);
        if (manager != null) {
            fields.created(tree, assigned, manager, call.type());
        }
        if (dryRun) {
            return CompletableFuture.completedFuture(new Outcome(tree, true, warnings));
        }
        refuseResourceVersionOnCreate(resourceVersionSent);
        return store.createAsync(key, Write.putTemplate(attributes(strategy, object), template(tree))).handle((stored, e) -> {
            Throwable cause = e instanceof CompletionException ? e.getCause() : e;
            if (cause instanceof StoreExceptions.ObjectExists) {
                throw ApiException.alreadyExists(call.type().group(), call.type().plural(), key.name());
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause != null) {
                throw new CompletionException(cause);
            }
            return Outcome.stored(stored, true, warnings);
        });
    }

    /**
     * A create carrying a resourceVersion was probably copied from a read object: Kubernetes' storage refuses it
     * (storage.ErrResourceVersionSetOnCreate), after validation and admission and never under dryRun (DryRunnableStorage
     * does not ask the store). Kubernetes lets that error through as a 500 InternalError; here it is the 400 it means.
     * A resourceVersion that does not parse passes, as there (APIObjectVersioner reads it as no version; kubernetes#113847).
     */
    private static void refuseResourceVersionOnCreate(String resourceVersion) {
        if (resourceVersion == null || resourceVersion.isEmpty()) {
            return;
        }
        try {
            if (Long.parseUnsignedLong(resourceVersion) == 0) {
                return;
            }
        } catch (NumberFormatException e) {
            return;
        }
        throw ApiException.badRequest("resourceVersion should not be set on objects to be created");
    }

    public Outcome update(Call call, ObjectNode body) {
        return update(call, RequestBody.of(body));
    }

    /** PUT on the object, or on its status (then only status changes). */
    public Outcome update(Call call, RequestBody body) {
        List<String> warnings = new ArrayList<>();
        HasMetadata object = decodeForWrite(call, body.tree(), body, null, warnings);
        if (!call.info().name().equals(object.getMetadata().getName())) {
            throw ApiException.badRequest("the name of the object (" + object.getMetadata().getName()
                    + ") does not match the name on the URL (" + call.info().name() + ")");
        }
        String expected = object.getMetadata().getResourceVersion();
        String manager = manager(call, "UpdateOptions");
        if (store.get(call.key()).isEmpty() && allowsCreateOnUpdate(call.type()) && call.info().subresource() == null) {
            return create(call, object, warnings, manager);
        }
        return replace(call, current -> {
            if (expected != null && !expected.isEmpty() && !expected.equals(current.getMetadata().getResourceVersion())) {
                throw ApiException.conflict(call.type().group(), call.type().plural(), call.info().name(),
                        "the object has been modified; please apply your changes to the latest version and try again");
            }
            return Json.toTyped(Json.toTree(object), call.type().modelClass());
        }, warnings, false, manager);
    }

    public Outcome patch(Call call, String contentType, byte[] body) {
        PatchType type = PatchType.fromContentType(contentType);
        String manager = call.query().get("fieldManager");
        boolean force = call.query().flag("force");
        FieldManager.validatePatchOptions(type, manager, call.query().get("force") == null ? null : force);
        List<String> warnings = new ArrayList<>();
        String subresource = call.info().subresource();
        if (type == PatchType.APPLY_PATCH) {
            List<String> applyErrors = StrictDecoding.applyErrors(call, body);
            Outcome outcome;
            if (subresource == null && store.get(call.key()).isEmpty()) {
                ApplyResult applied = fields.apply(null, body, manager, force, call.type());
                StrictDecoding.refuseApply(call, applyErrors);
                refuseUidOnApplyCreate(call, applied.object());
                outcome = create(call, decodeNamed(call, applied.object(), null, warnings), warnings, null);
            } else {
                outcome = replace(call, current -> {
                    ObjectNode applied = fields.apply(Json.toTree(current), Json.parseYamlObject(body), manager, force, call.type(), subresource).object();
                    StrictDecoding.refuseApply(call, applyErrors);
                    return decodeNamed(call, applied, null, warnings);
                }, warnings, false, null);
            }
            StrictDecoding.warnApply(call, applyErrors, outcome.warnings());
            return outcome;
        }
        List<String> patchErrors = StrictDecoding.patchErrors(call, type, body);
        return replace(call, current -> decodeNamed(call, Patcher.patch(type, Json.toTree(current), body, call.type()), patchErrors, warnings),
                warnings, false, FieldManager.managerFor(manager, call.userAgent()));
    }

    /** Kubernetes' applyPatch: a configuration naming a uid describes an object that exists; if none does, it is not created. */
    private static void refuseUidOnApplyCreate(Call call, ObjectNode applied) {
        String uid = applied.path("metadata").path("uid").asString("");
        if (!uid.isEmpty()) {
            throw ApiException.conflict(call.type().group(), call.type().plural(), call.info().name(), "uid mismatch: the provided object "
                    + "specified uid " + uid + ", and no existing object was found");
        }
    }

    /** @param patchErrors the patch body's own strict errors (null for server-side apply's result, checked as applied) */
    private HasMetadata decodeNamed(Call call, ObjectNode tree, List<String> patchErrors, List<String> warnings) {
        tree.put("apiVersion", call.type().apiVersion());
        tree.put("kind", call.type().kind());
        HasMetadata object = decodeForWrite(call, tree, null, patchErrors, warnings);
        if (!call.info().name().equals(object.getMetadata().getName())) {
            throw ApiException.badRequest("the name of the object (" + object.getMetadata().getName()
                    + ") does not match the name on the URL (" + call.info().name() + ")");
        }
        return object;
    }

    /** The object with its managed fields brought up to date: only they change, so only they are decoded back. */
    private HasMetadata track(Call call, ObjectNode live, HasMetadata object, String manager) {
        ObjectNode tracked = fields.update(live, Json.toTree(object), manager, call.type(), call.info().subresource());
        object.getMetadata().setManagedFields(ManagedFields.toModel(tracked.path("metadata").get("managedFields")));
        return object;
    }

    /** The update pipeline shared by PUT and PATCH: {@code change} turns the current object into the wanted one. */
    Outcome replace(Call call, java.util.function.Function<HasMetadata, HasMetadata> change, List<String> warnings) {
        return replace(call, change, warnings, false, null);
    }

    /**
     * @param direct a write the API server makes itself through a subresource (binding, finalize):
     *               the strategy's update rules, written for clients, do not apply, and {@code change} may edit
     *               the object it is given, a copy of its own
     * @param manager the field manager the changed fields move to; null when apply has recorded ownership already
     */
    Outcome replace(Call call, java.util.function.Function<HasMetadata, HasMetadata> change, List<String> warnings, boolean direct,
                    String manager) {
        ResourceStrategy<HasMetadata> strategy = call.strategy();
        boolean status = "status".equals(call.info().subresource());
        boolean dryRun = call.query().dryRun();
        HasMetadata[] result = new HasMetadata[1];
        Write.Update update = currentStored -> {
            ObjectNode stored = Json.parseStored(currentStored.body());
            HasMetadata current = Json.toTyped(stored, call.type().modelClass());
            HasMetadata changed = change.apply(direct ? Json.toTyped(stored, call.type().modelClass()) : current);
            ObjectMetaRules.beforeUpdate(changed, current);
            if (status) {
                strategy.prepareForStatusUpdate(changed, current);
            } else if (!direct) {
                strategy.prepareForUpdate(changed, current);
            }
            strategy.applyDefaults(changed);
            // the current object as a tree, made once: field tracking, the generation and the no-op check compare with it
            ObjectNode currentTree = Json.toTree(current);
            HasMetadata object = manager == null ? changed : track(call, currentTree, changed, manager);
            if (strategy.tracksGeneration() && !status && specChanged(Json.toTree(object), currentTree)) {
                long generation = current.getMetadata().getGeneration() == null ? 1 : current.getMetadata().getGeneration();
                object.getMetadata().setGeneration(generation + 1);
            }
            validate(call, object, direct ? strategy.validate(object)
                    : status ? strategy.validateStatusUpdate(object, current) : strategy.validateUpdate(object, current));
            for (AdmissionHook hook : admission) {
                if (hook.appliesTo(call.type())) {
                    hook.beforeUpdate(object, current);
                }
            }
            object.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
            result[0] = object;
            ObjectNode objectTree = Json.toTree(object);
            if (dryRun || objectTree.equals(currentTree)) {
                return null;
            }
            if (readyToGo(strategy, object)) {
                return Write.removeTemplate(attributes(strategy, object), template(objectTree));
            }
            return Write.putTemplate(attributes(strategy, object), template(objectTree));
        };
        try {
            StoredObject stored = store.update(call.key(), update);
            if (dryRun) {
                return new Outcome(Json.toTree(result[0]), false, warnings);
            }
            return Outcome.stored(stored, false, warnings);
        } catch (StoreExceptions.ObjectMissing e) {
            throw call.notFound();
        }
    }

    /**
     * pods/binding, as Kubernetes' assignPod: the stored pod gets its node, the binding's annotations and
     * PodScheduled=True, edited as stored JSON, since the API server writes it itself (no strategy, no validation, no
     * field manager: a bound pod's managedFields do not list spec.nodeName). 409 for a pod bound already, being deleted
     * or gated, or not the one (uid, resourceVersion) the binding names.
     */
    public void bind(Call bindingCall, Binding binding) {
        Call call = bindingCall.withoutSubresource();
        String name = call.info().name();
        String node = binding.getTarget().getName();
        ObjectMeta wanted = binding.getMetadata() == null ? new ObjectMeta() : binding.getMetadata();
        try {
            store.update(call.key(), current -> {
                ObjectNode pod = Json.parseStored(current.body());
                ObjectNode meta = (ObjectNode) pod.get("metadata");
                checkBindingPreconditions(name, wanted, meta);
                ObjectNode spec = pod.has("spec") ? (ObjectNode) pod.get("spec") : pod.putObject("spec");
                if (!meta.path("deletionTimestamp").isMissingNode() && !meta.path("deletionTimestamp").isNull()) {
                    throw ApiException.conflict("", "pods/binding", name, "pod " + name + " is being deleted, cannot be assigned to a host");
                }
                if (!spec.path("nodeName").asString("").isEmpty()) {
                    throw ApiException.conflict("", "pods/binding", name, "pod " + name + " is already assigned to node \""
                            + spec.path("nodeName").asString() + "\"");
                }
                if (!spec.path("schedulingGates").isEmpty()) {
                    throw ApiException.conflict("", "pods/binding", name, "pod " + name + " has non-empty .spec.schedulingGates");
                }
                spec.put("nodeName", node);
                if (wanted.getAnnotations() != null && !wanted.getAnnotations().isEmpty()) {
                    ObjectNode annotations = meta.has("annotations") ? (ObjectNode) meta.get("annotations") : meta.putObject("annotations");
                    wanted.getAnnotations().forEach(annotations::put);
                }
                markScheduled(pod.has("status") ? (ObjectNode) pod.get("status") : pod.putObject("status"));
                // of what selectors see, only the node changed
                Attributes attributes = Attributes.decode(current.attrs());
                Map<String, String> fields = new HashMap<>(attributes.fields());
                fields.put("spec.nodeName", node);
                return Write.putTemplate(new Attributes(attributes.labels(), fields).encode(), template(pod));
            });
        } catch (StoreExceptions.ObjectMissing e) {
            throw call.notFound();
        }
    }

    private static void checkBindingPreconditions(String name, ObjectMeta wanted, ObjectNode meta) {
        String uid = meta.path("uid").asString("");
        if (wanted.getUid() != null && !wanted.getUid().isEmpty() && !wanted.getUid().equals(uid)) {
            throw ApiException.conflict("", "pods", name, "Precondition failed: UID in precondition: " + wanted.getUid()
                    + ", UID in object meta: " + uid);
        }
        String resourceVersion = meta.path("resourceVersion").asString("");
        if (wanted.getResourceVersion() != null && !wanted.getResourceVersion().isEmpty()
                && !wanted.getResourceVersion().equals(resourceVersion)) {
            throw ApiException.conflict("", "pods", name, "Precondition failed: ResourceVersion in precondition: "
                    + wanted.getResourceVersion() + ", ResourceVersion in object meta: " + resourceVersion);
        }
    }

    /** podutil.UpdatePodCondition with PodScheduled=True: in place, its transition time kept when it was True already. */
    private static void markScheduled(ObjectNode status) {
        tools.jackson.databind.node.ArrayNode conditions = status.has("conditions") && status.get("conditions").isArray()
                ? (tools.jackson.databind.node.ArrayNode) status.get("conditions") : status.putArray("conditions");
        ObjectNode scheduled = Json.MAPPER.createObjectNode().put("type", "PodScheduled").put("status", "True");
        for (int i = 0; i < conditions.size(); i++) {
            JsonNode old = conditions.get(i);
            if ("PodScheduled".equals(old.path("type").asString(""))) {
                scheduled.put("lastTransitionTime", "True".equals(old.path("status").asString(""))
                        && old.has("lastTransitionTime") ? old.get("lastTransitionTime").asString() : ObjectMetaRules.now());
                conditions.set(i, scheduled);
                return;
            }
        }
        scheduled.put("lastTransitionTime", ObjectMetaRules.now());
        conditions.add(scheduled);
    }

    /** A marked object whose last finalizer is gone leaves, as Kubernetes' registry deletes it during the update. */
    private static boolean readyToGo(ResourceStrategy<HasMetadata> strategy, HasMetadata object) {
        ObjectMeta meta = object.getMetadata();
        return meta.getDeletionTimestamp() != null
                && (meta.getFinalizers() == null || meta.getFinalizers().isEmpty())
                && (meta.getDeletionGracePeriodSeconds() == null || meta.getDeletionGracePeriodSeconds() == 0)
                && !strategy.holdsDeletion(object);
    }

    public Outcome delete(Call call, DeleteOptions options) {
        ResourceStrategy<HasMetadata> strategy = call.strategy();
        boolean dryRun = call.query().dryRun() || (options.getDryRun() != null && options.getDryRun().contains("All"));
        HasMetadata[] result = new HasMetadata[1];
        boolean[] gone = new boolean[1];
        Write.Update update = currentStored -> {
            HasMetadata current = Json.toTyped(Json.parseStored(currentStored.body()), call.type().modelClass());
            checkPreconditions(call, options, current);
            HasMetadata object = Json.toTyped(Json.parseStored(currentStored.body()), call.type().modelClass());
            ObjectMeta meta = object.getMetadata();
            List<String> finalizers = meta.getFinalizers() == null ? new ArrayList<>() : new ArrayList<>(meta.getFinalizers());
            String policy = propagationPolicy(options);
            if (meta.getDeletionTimestamp() == null) {
                if ("Orphan".equals(policy) && !finalizers.contains("orphan")) {
                    finalizers.add("orphan");
                } else if ("Foreground".equals(policy) && !finalizers.contains("foregroundDeletion")) {
                    finalizers.add("foregroundDeletion");
                }
            }
            meta.setFinalizers(finalizers);
            Long requested = options.getGracePeriodSeconds() != null ? options.getGracePeriodSeconds() : call.query().number("gracePeriodSeconds");
            long grace = strategy.deletionGracePeriod(object, requested);
            if (finalizers.isEmpty() && grace == 0 && !strategy.holdsDeletion(object)) {
                gone[0] = true;
                result[0] = object;
                return dryRun ? null : Write.removeTemplate(attributes(strategy, object), template(object));
            }
            Long currentGrace = meta.getDeletionGracePeriodSeconds();
            if (meta.getDeletionTimestamp() == null || (currentGrace != null && grace < currentGrace)) {
                meta.setDeletionTimestamp(DateTimeFormatter.ISO_INSTANT.format(Instant.now().plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS)));
                meta.setDeletionGracePeriodSeconds(grace);
                if (meta.getGeneration() != null) {
                    meta.setGeneration(meta.getGeneration() + 1);
                }
                strategy.markDeleting(object);
            }
            result[0] = object;
            if (dryRun || Json.toTree(object).equals(Json.toTree(current))) {
                return null;
            }
            return write(strategy, object);
        };
        try {
            StoredObject stored = store.update(call.key(), update);
            ObjectNode body = dryRun ? Json.toTree(result[0]) : Json.parseStored(stored.body());
            return new Outcome(body, gone[0], List.of());
        } catch (StoreExceptions.ObjectMissing e) {
            throw call.notFound();
        }
    }

    private static String propagationPolicy(DeleteOptions options) {
        if (options.getPropagationPolicy() != null) {
            return options.getPropagationPolicy();
        }
        if (Boolean.TRUE.equals(options.getOrphanDependents())) {
            return "Orphan";
        }
        return "Background";
    }

    private static void checkPreconditions(Call call, DeleteOptions options, HasMetadata current) {
        if (options.getPreconditions() == null) {
            return;
        }
        String uid = options.getPreconditions().getUid();
        if (uid != null && !uid.equals(current.getMetadata().getUid())) {
            throw ApiException.conflict(call.type().group(), call.type().plural(), call.info().name(),
                    "Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + current.getMetadata().getUid());
        }
        String rv = options.getPreconditions().getResourceVersion();
        if (rv != null && !rv.equals(current.getMetadata().getResourceVersion())) {
            throw ApiException.conflict(call.type().group(), call.type().plural(), call.info().name(),
                    "Precondition failed: ResourceVersion in precondition: " + rv + ", ResourceVersion in object meta: "
                            + current.getMetadata().getResourceVersion());
        }
    }

    // ---- shared steps -----------------------------------------------------------------------

    /**
     * Body → typed object, checking kind, apiVersion, namespace, quantities, unknown and repeated fields; as
     * kube-apiserver's decoding does.
     *
     * @param sent        the POST or PUT body as sent; null for the result of a patch, which Kubernetes decodes from a map
     *                    (a quantity that does not parse is left to validation, a 422, where Kubernetes answers 422 "patch")
     * @param patchErrors for the result of a JSON, merge or strategic merge patch: the patch body's own strict errors
     */
    HasMetadata decodeForWrite(Call call, ObjectNode body, RequestBody sent, List<String> patchErrors, List<String> warnings) {
        ResourceType type = call.type();
        if ("scale".equals(call.info().subresource())) {
            throw ApiException.methodNotAllowed("scale is handled by its own handler");
        }
        JsonNode apiVersion = body.get("apiVersion");
        JsonNode kind = body.get("kind");
        if (kind != null && !kind.isNull() && !kind.asString().isEmpty() && !kind.asString().equals(type.kind())) {
            throw ApiException.badRequest("the kind in the body (" + kind.asString() + ") does not match the expected kind ("
                    + type.kind() + ")");
        }
        if (apiVersion != null && !apiVersion.isNull() && !apiVersion.asString().isEmpty() && !apiVersion.asString().equals(type.apiVersion())) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion.asString()
                    + ") does not match the expected API version (" + type.apiVersion() + ")");
        }
        body.put("apiVersion", type.apiVersion());
        body.put("kind", type.kind());
        if (body.has("metadata") && !body.get("metadata").isObject() && !body.get("metadata").isNull()) {
            throw ApiException.badRequest("error decoding " + type.kind() + ": field metadata: must be an object");
        }
        requireBase64(body, type);
        HasMetadata object = Json.toTyped(body, type.modelClass());
        if (object.getMetadata() == null) {
            object.setMetadata(new ObjectMeta());
        }
        UnknownFields.Found found = UnknownFields.strip(object);
        if (sent != null && !found.badQuantities().isEmpty()) {
            // resource.Quantity's UnmarshalJSON fails the whole decode: a 400 whatever fieldValidation says
            throw StrictDecoding.notDecodable(type, found.badQuantities().get(0));
        }
        if (patchErrors != null) {
            StrictDecoding.checkPatched(call, patchErrors, found.unknown(), body, warnings);
        } else {
            StrictDecoding.check(call, sent, found.unknown(), warnings);
        }
        ObjectMeta meta = object.getMetadata();
        if (type.namespaced()) {
            String pathNamespace = call.info().namespace();
            if (pathNamespace == null) {
                throw ApiException.pathNotFound();
            }
            if (meta.getNamespace() == null || meta.getNamespace().isEmpty()) {
                meta.setNamespace(pathNamespace);
            } else if (!meta.getNamespace().equals(pathNamespace)) {
                throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
        } else {
            meta.setNamespace(null);
        }
        return object;
    }

    private static final String BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /**
     * Secret {@code data} and ConfigMap {@code binaryData} are {@code []byte} in Kubernetes, which JSON
     * decoding reads as padded standard base64: anything else is a 400 before the object exists.
     */
    private static void requireBase64(ObjectNode body, ResourceType type) {
        String field = !type.group().isEmpty() ? null
                : type.kind().equals("Secret") ? "data" : type.kind().equals("ConfigMap") ? "binaryData" : null;
        if (field == null || !body.path(field).isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : body.get(field).properties()) {
            JsonNode value = e.getValue();
            String where = "error decoding " + type.kind() + ": field " + field + "[" + e.getKey() + "]: ";
            if (value.isNull()) {
                continue;
            }
            if (!value.isString()) {
                throw ApiException.badRequest(where + "json: cannot unmarshal " + value.getNodeType().name().toLowerCase()
                        + " into Go value of type []uint8");
            }
            int bad = illegalBase64At(value.asString());
            if (bad >= 0) {
                throw ApiException.badRequest(where + "illegal base64 data at input byte " + bad);
            }
        }
    }

    /** Where Go's {@code base64.StdEncoding} (as encoding/json uses it, skipping CR and LF) fails on {@code s}, or -1. */
    static int illegalBase64At(String s) {
        int significant = 0;
        boolean padding = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n') {
                continue;
            }
            if (c == '=') {
                if (significant % 4 < 2) {
                    return i;
                }
                padding = true;
            } else if (padding || BASE64.indexOf(c) < 0) {
                return i;
            }
            significant++;
        }
        return significant % 4 == 0 ? -1 : s.length();
    }

    private void validate(Call call, HasMetadata object, List<FieldError> specErrors) {
        List<FieldError> errors = new ArrayList<>(Validation.validateObjectMeta(object.getMetadata(), call.type().namespaced(),
                call.strategy().nameRule()));
        errors.addAll(specErrors);
        if (!errors.isEmpty()) {
            String name = object.getMetadata().getName() == null ? "" : object.getMetadata().getName();
            throw ApiException.invalid(call.type().qualifiedKind(), name, errors);
        }
    }

    private void requireLiveNamespace(Call call, HasMetadata object) {
        if (!call.type().namespaced()) {
            return;
        }
        String ns = object.getMetadata().getNamespace();
        NamespaceStates.State known = watchCache.namespace(ns);
        boolean terminating = known == NamespaceStates.State.TERMINATING;
        if (known == NamespaceStates.State.UNKNOWN) {
            // not seen here yet (just created, perhaps by another server) or gone: the store decides
            StoredObject namespace = store.get(new ObjectKey("namespaces", "", ns))
                    .orElseThrow(() -> ApiException.notFound("", "namespaces", ns));
            terminating = NamespaceStates.terminating(namespace.body());
        }
        if (terminating) {
            ApiException e = ApiException.forbidden(call.type().plural() + " \"" + object.getMetadata().getName()
                    + "\" is forbidden: unable to create new content in namespace " + ns + " because it is being terminated");
            throw e;
        }
    }

    /** Whether anything but metadata and status differs: what bumps {@code metadata.generation}. */
    private static boolean specChanged(ObjectNode object, ObjectNode current) {
        Set<String> names = new HashSet<>(object.propertyNames());
        names.addAll(current.propertyNames());
        names.remove("metadata");
        names.remove("status");
        for (String name : names) {
            if (!Objects.equals(object.get(name), current.get(name))) {
                return true;
            }
        }
        return false;
    }

    /** The write, serialised now (off the store's commit path) with the revision left for the store to splice in. */
    private static Write.AtRevision write(ResourceStrategy<HasMetadata> strategy, HasMetadata object) {
        return Write.putTemplate(attributes(strategy, object), template(object));
    }

    /** The object as stored, its resourceVersion the placeholder the store replaces; {@code tree} is changed. */
    private static String template(ObjectNode tree) {
        ((ObjectNode) tree.get("metadata")).put("resourceVersion", Write.REVISION_PLACEHOLDER);
        return Json.write(tree);
    }

    private static String template(HasMetadata object) {
        String before = object.getMetadata().getResourceVersion();
        object.getMetadata().setResourceVersion(Write.REVISION_PLACEHOLDER);
        try {
            return Json.write(object);
        } finally {
            object.getMetadata().setResourceVersion(before);
        }
    }

    static String attributes(ResourceStrategy<HasMetadata> strategy, HasMetadata object) {
        Map<String, String> fields = new HashMap<>(strategy.selectableFields(object));
        fields.put("metadata.name", Objects.requireNonNullElse(object.getMetadata().getName(), ""));
        fields.put("metadata.namespace", Objects.requireNonNullElse(object.getMetadata().getNamespace(), ""));
        Map<String, String> labels = object.getMetadata().getLabels();
        return new Attributes(labels, fields).encode();
    }

    private static boolean allowsCreateOnUpdate(ResourceType type) {
        return switch (type.plural()) {
            case "endpoints", "events", "leases", "nodes" -> true;
            default -> false;
        };
    }

    private static String manager(Call call, String optionsKind) {
        String manager = call.query().get("fieldManager");
        FieldManager.validateFieldManager(optionsKind, manager);
        return FieldManager.managerFor(manager, call.userAgent());
    }

    public Registry registry() {
        return registry;
    }
}
