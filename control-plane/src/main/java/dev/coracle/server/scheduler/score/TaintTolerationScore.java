package dev.coracle.server.scheduler.score;

import dev.coracle.server.scheduler.CycleState;
import dev.coracle.server.scheduler.NodeInfo;
import dev.coracle.server.scheduler.PodInfo;
import dev.coracle.server.scheduler.Taints;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

/** TaintToleration's score: fewer untolerated PreferNoSchedule taints is better. */
public final class TaintTolerationScore implements Score {

    @Override
    public String name() {
        return "TaintToleration";
    }

    @Override
    public int weight() {
        return 3;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        long count = 0;
        for (Taint taint : node.taints()) {
            if (!Taints.PREFER_NO_SCHEDULE.equals(taint.getEffect())) {
                continue;
            }
            boolean tolerated = false;
            for (Toleration t : pod.tolerations) {
                String effect = t.getEffect() == null ? "" : t.getEffect();
                if ((effect.isEmpty() || effect.equals(Taints.PREFER_NO_SCHEDULE)) && Taints.tolerates(t, taint)) {
                    tolerated = true;
                    break;
                }
            }
            if (!tolerated) {
                count++;
            }
        }
        return count;
    }

    @Override
    public void normalize(CycleState state, long[] scores) {
        Score.defaultNormalize(scores, true);
    }
}
