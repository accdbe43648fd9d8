/** The client side of the signed API ({@link cn.midang.cli.net.MidangClient}): signs requests, checks answers. */
package cn.midang.cli.net;
