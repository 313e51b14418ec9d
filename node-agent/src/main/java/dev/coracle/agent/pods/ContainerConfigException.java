package dev.coracle.agent.pods;

/** A container's configuration cannot be resolved (a missing ConfigMap or key): Waiting, CreateContainerConfigError. */
class ContainerConfigException extends Exception {

    ContainerConfigException(String message) {
        super(message);
    }
}
