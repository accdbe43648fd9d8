/**
 * {@code midang admin}: the administrator's signed management requests (inspector assignments,
 * engagements, retention permits). The server's policy decides; these commands only ask.
 */
package cn.midang.cli.admin;
