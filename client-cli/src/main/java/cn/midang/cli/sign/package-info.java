/** {@code midang sign} and {@code midang verify}: detached SM2 signatures, raw (OpenSSL-checkable) and CMS. */
package cn.midang.cli.sign;
