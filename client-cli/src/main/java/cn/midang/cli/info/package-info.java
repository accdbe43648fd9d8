/** {@code midang whoami} and {@code midang status}: who you are to the server, and where campaigns stand. */
package cn.midang.cli.info;
