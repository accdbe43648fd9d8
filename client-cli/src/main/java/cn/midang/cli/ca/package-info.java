/** {@code midang ca}: the admin's offline CA (init, issue, revoke, crl), a thin layer over {@code keys.pki}. */
package cn.midang.cli.ca;
