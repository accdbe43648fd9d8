/** Campaigns (检查工作): scope, lifecycle state and submission window (SPEC §1, §4). */
package cn.midang.server.campaign;
