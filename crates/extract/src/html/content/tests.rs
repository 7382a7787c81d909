//! Unit tests for content detection (snippets written for these tests).

use super::*;
