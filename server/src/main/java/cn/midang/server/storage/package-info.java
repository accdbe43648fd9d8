/**
 * The record store: embedded H2 with versioned Flyway migrations. Only repositories use it; no
 * endpoint touches SQL.
 */
package cn.midang.server.storage;
