package dev.coracle.server.store;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.util.concurrent.locks.ReentrantLock;

/** A process-wide write lock taken inside a transaction and released when that transaction completes. */
final class WriterLock {

    private final ReentrantLock lock = new ReentrantLock();

    void lock() {
        if (lock.isHeldByCurrentThread()) {
            return;
        }
        lock.lock();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                lock.unlock();
            }
        });
    }
}
