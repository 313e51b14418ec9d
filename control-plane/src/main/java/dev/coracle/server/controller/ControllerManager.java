package dev.coracle.server.controller;

import dev.coracle.server.api.InternalClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * kube-controller-manager and kube-scheduler inside the server: every controller runs on one server
 * at a time, the one holding the lease; the others stand by and take over when it stops renewing.
 */
@Component
class ControllerManager implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ControllerManager.class);

    private final List<Controller> controllers;
    private final Informers informers;
    private final LeaderElection election;
    private final ControllerProperties properties;
    private volatile boolean running;
    private volatile boolean leading;
    private Thread loop;

    ControllerManager(List<Controller> controllers, Informers informers, InternalClient client, ControllerProperties properties) {
        this.controllers = controllers.stream().filter(c -> !properties.disabled().contains(c.name())).toList();
        this.informers = informers;
        this.properties = properties;
        this.election = new LeaderElection(client, properties);
        this.controllers.forEach(c -> c.register(informers));
    }

    @EventListener(ApplicationReadyEvent.class)
    void begin() {
        if (!properties.enabled() || loop != null) {
            return;
        }
        loop = new Thread(this::electForever, "leader-election");
        loop.setDaemon(true);
        loop.start();
    }

    private void electForever() {
        while (running) {
            boolean lead = election.tryAcquireOrRenew();
            if (lead && !leading) {
                lead();
            } else if (!lead && leading) {
                log.warn("lost the controllers' lease; standing by");
                standBy();
            }
            try {
                Thread.sleep(properties.renewInterval().toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void lead() {
        leading = true;
        informers.startAll();
        controllers.forEach(Controller::start);
    }

    private synchronized void standBy() {
        leading = false;
        controllers.forEach(Controller::stop);
        informers.stopAll();
    }

    boolean isLeading() {
        return leading;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        if (loop != null) {
            loop.interrupt();
        }
        if (leading) {
            standBy();
            election.release();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }
}
