package dev.coracle.server.scheduler;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;

import java.util.Optional;

/** What the VolumeBinding filter reads of the cluster's claims, volumes and classes (the scheduler's listers). */
public interface VolumeLookup {

    VolumeLookup NONE = new VolumeLookup() {
        @Override
        public Optional<PersistentVolumeClaim> claim(String namespace, String name) {
            return Optional.empty();
        }

        @Override
        public Optional<PersistentVolume> volume(String name) {
            return Optional.empty();
        }

        @Override
        public Optional<StorageClass> storageClass(String name) {
            return Optional.empty();
        }
    };

    Optional<PersistentVolumeClaim> claim(String namespace, String name);

    Optional<PersistentVolume> volume(String name);

    Optional<StorageClass> storageClass(String name);
}
