package dev.coracle.server.watch;

import dev.coracle.server.selector.Attributes;
import dev.coracle.server.store.ObjectKey;
import dev.coracle.server.store.RevisionRecord;

import java.nio.charset.StandardCharsets;

/**
 * One committed change, as every watcher of this process shares it: the attributes are parsed and
 * the wire frame encoded once, however many watchers receive it.
 */
public final class WatchEvent {

    private final long revision;
    private final ObjectKey key;
    private final RevisionRecord.EventType type;
    private final String attrsJson;
    private final String prevAttrsJson;
    private final String body;
    private volatile Attributes attrs;
    private volatile Attributes prevAttrs;
    private final byte[][] frames = new byte[3][];

    public WatchEvent(long revision, ObjectKey key, RevisionRecord.EventType type, String attrs, String prevAttrs, String body) {
        this.revision = revision;
        this.key = key;
        this.type = type;
        this.attrsJson = attrs;
        this.prevAttrsJson = prevAttrs;
        this.body = body;
    }

    static WatchEvent of(RevisionRecord r) {
        return new WatchEvent(r.revision(), r.key(), r.eventType(), r.attrs(), r.prevAttrs(), r.body());
    }

    public long revision() {
        return revision;
    }

    public ObjectKey key() {
        return key;
    }

    public RevisionRecord.EventType type() {
        return type;
    }

    public String body() {
        return body;
    }

    public Attributes attrs() {
        Attributes a = attrs;
        if (a == null) {
            a = Attributes.decode(attrsJson);
            attrs = a;
        }
        return a;
    }

    /** The attributes before this change, for MODIFIED events: a selector may have stopped or started matching. */
    public Attributes prevAttrs() {
        if (prevAttrsJson == null) {
            return null;
        }
        Attributes a = prevAttrs;
        if (a == null) {
            a = Attributes.decode(prevAttrsJson);
            prevAttrs = a;
        }
        return a;
    }

    /** {@code {"type":"MODIFIED","object":{...}}\n}, encoded once per type this event is shown as. */
    public byte[] frame(RevisionRecord.EventType shownAs) {
        int i = shownAs.ordinal();
        byte[] f = frames[i];
        if (f == null) {
            f = ("{\"type\":\"" + shownAs.name() + "\",\"object\":" + body + "}\n").getBytes(StandardCharsets.UTF_8);
            frames[i] = f;
        }
        return f;
    }
}
