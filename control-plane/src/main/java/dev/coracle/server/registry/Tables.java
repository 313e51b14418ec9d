package dev.coracle.server.registry;

import io.fabric8.kubernetes.api.model.TableColumnDefinition;

/**
 * Table column helpers and the descriptions kube-apiserver's printers put in
 * {@code columnDefinitions} (Swagger docs of the fields they show).
 */
public final class Tables {

    public static final String NAME_DESCRIPTION = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
    public static final String AGE_DESCRIPTION = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
    public static final String CONTAINERS_DESCRIPTION = "Names of each container in the template.";
    public static final String IMAGES_DESCRIPTION = "Images referenced by each container in the template.";

    private Tables() {
    }

    public static TableColumnDefinition column(String name, String type, String format, String description, int priority) {
        TableColumnDefinition c = new TableColumnDefinition();
        c.setName(name);
        c.setType(type);
        c.setFormat(format);
        c.setDescription(description);
        c.setPriority(priority);
        return c;
    }

    /** A priority-0 column without format. */
    public static TableColumnDefinition column(String name, String type, String description) {
        return column(name, type, "", description, 0);
    }

    /** A priority-1 ({@code -o wide}) column without format. */
    public static TableColumnDefinition wide(String name, String type, String description) {
        return column(name, type, "", description, 1);
    }

    /** The {@code Name} column: {@code format: name}. */
    public static TableColumnDefinition nameColumn() {
        return column("Name", "string", "name", NAME_DESCRIPTION, 0);
    }

    public static TableColumnDefinition ageColumn() {
        return column("Age", "string", "", AGE_DESCRIPTION, 0);
    }

    /** Names and images of containers joined by commas, as {@code layoutContainerCells}. */
    public static String[] containerCells(java.util.List<io.fabric8.kubernetes.api.model.Container> containers) {
        StringBuilder names = new StringBuilder();
        StringBuilder images = new StringBuilder();
        if (containers != null) {
            for (int i = 0; i < containers.size(); i++) {
                if (i > 0) {
                    names.append(',');
                    images.append(',');
                }
                names.append(containers.get(i).getName() == null ? "" : containers.get(i).getName());
                images.append(containers.get(i).getImage() == null ? "" : containers.get(i).getImage());
            }
        }
        return new String[] {names.toString(), images.toString()};
    }
}
