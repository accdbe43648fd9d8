/**
 * Implementation details of {@code keys}: the Bouncy Castle provider, SM2 key transport in
 * GM/T 0009 form, BER layout scanning. Not exported; nothing outside {@code keys} may use it.
 */
package cn.midang.keys.internal;
