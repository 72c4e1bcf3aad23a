/** JMH benchmarks and the load harness. */
package io.historian.bench;
