/** {@code midang submit} and {@code midang get}: sealed uploads with verified receipts, and verified downloads. */
package cn.midang.cli.submit;
