package dev.coracle.server.store;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

import java.io.Serializable;

/** Where an object lives: its resource's storage key, its namespace ("" when cluster-scoped) and its name. */
@Embeddable
public record ObjectKey(
        @Column(name = "resource") String resource,
        @Column(name = "namespace") String namespace,
        @Column(name = "name") String name) implements Serializable {

    public ObjectKey {
        namespace = namespace == null ? "" : namespace;
    }
}
