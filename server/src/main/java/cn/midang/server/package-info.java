/**
 * The Midang server. {@link cn.midang.server.MidangServer} is the composition root: it wires
 * every part by hand (no container). Today it serves only the health check; every other path is
 * refused (deny by default).
 */
package cn.midang.server;
