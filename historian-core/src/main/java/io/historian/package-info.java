package io.historian;
