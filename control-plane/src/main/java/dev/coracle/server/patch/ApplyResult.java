package dev.coracle.server.patch;

import tools.jackson.databind.node.ObjectNode;

/**
 * The outcome of a server-side apply: the object to store (with its {@code metadata.managedFields}), whether the
 * apply creates it (there was no live object: answer 201), and whether it differs from the live object at all (its managed fields included): an apply that changes
 * nothing need not be written.
 */
public record ApplyResult(ObjectNode object, boolean created, boolean changed) {
}
