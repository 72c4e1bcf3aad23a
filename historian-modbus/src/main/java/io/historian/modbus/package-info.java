/** Modbus TCP and RTU-over-TCP sample sources; the module's issue has not been taken yet. */
package io.historian.modbus;
