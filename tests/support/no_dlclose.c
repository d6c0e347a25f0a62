/*
 * no_dlclose.c - linked into tessera only in sanitizer builds
 * (TESSERA_SANITIZE): makes dlclose() keep libraries loaded.
 *
 * SDL and Mesa unload the GL driver at exit; LeakSanitizer then cannot tell
 * which library an allocation came from ("<unknown module>") and cannot apply
 * the suppressions in tests/lsan.supp, which name the system libraries whose
 * exit-time allocations are theirs, not Tessera's.  With the libraries kept
 * loaded every leak is attributed, Tessera's own leaks included.
 */
int dlclose(void *handle);

int dlclose(void *handle)
{
    (void)handle;
    return 0;
}
