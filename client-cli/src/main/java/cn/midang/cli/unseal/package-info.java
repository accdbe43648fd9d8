/** {@code midang unseal}: a key holder's share of the archive key, delivered to the sealed server (SPEC C4). */
package cn.midang.cli.unseal;
