//! HTTP JSON API and web page of biaozhun.
