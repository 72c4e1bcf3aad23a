/**
 * Per-tag exception (deadband) and swinging-door compression filters, and the fidelity report
 * that measures what they cost in accuracy. Internal: not API, may change freely.
 */
package io.historian.internal.filter;
