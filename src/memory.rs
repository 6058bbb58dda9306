//! The allocator, told when a burst of temporary allocations is over.

/// Hands memory freed after a burst of temporary allocations (training the classifier, loading the
/// juror pool) back to the system; glibc would otherwise keep it in its arenas for good.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages to the system; it is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
