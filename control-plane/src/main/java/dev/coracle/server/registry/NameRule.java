package dev.coracle.server.registry;

/** TEMPORARY until the strategies branch lands. */
public enum NameRule { DNS1123_SUBDOMAIN, DNS1123_LABEL, DNS1035_LABEL }
