/** Query builders and result types: raw cursors now; aggregates, interpolation and downsampling next. */
package io.historian.query;
