package dev.coracle.server.api;

import dev.coracle.server.registry.ResourceStrategy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.TableColumnDefinition;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}: the rows {@code kubectl get} prints,
 * with each row's object as PartialObjectMetadata (or the whole object with {@code includeObject=Object}),
 * which kubectl needs for its NAMESPACE and LABELS columns.
 */
final class Tables {

    private Tables() {
    }

    static boolean wanted(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    static ObjectNode table(ResourceStrategy<HasMetadata> strategy, List<ObjectNode> objects, String resourceVersion,
                            String continueToken, boolean withColumns, String includeObject) {
        ObjectNode table = Json.MAPPER.createObjectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode metadata = table.putObject("metadata");
        if (resourceVersion != null) {
            metadata.put("resourceVersion", resourceVersion);
        }
        if (continueToken != null) {
            metadata.put("continue", continueToken);
        }
        if (withColumns) {
            ArrayNode columns = table.putArray("columnDefinitions");
            for (TableColumnDefinition c : strategy.columns()) {
                columns.add(Json.toTree(c));
            }
        }
        ArrayNode rows = table.putArray("rows");
        for (ObjectNode object : objects) {
            HasMetadata typed = Json.toTyped(object, strategy.type().modelClass());
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object cell : strategy.cells(typed)) {
                cells.add(Json.MAPPER.valueToTree(cell));
            }
            row.set("object", "None".equals(includeObject) ? null
                    : "Object".equals(includeObject) ? object : partial(object));
            if ("None".equals(includeObject)) {
                row.remove("object");
            }
        }
        return table;
    }

    private static ObjectNode partial(ObjectNode object) {
        ObjectNode partial = Json.MAPPER.createObjectNode();
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode metadata = object.get("metadata") instanceof ObjectNode m ? m.deepCopy() : Json.MAPPER.createObjectNode();
        metadata.remove("managedFields");
        partial.set("metadata", metadata);
        return partial;
    }
}
