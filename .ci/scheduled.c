/* scheduled: the test of the Windows package runs a command as a hidden
 * scheduled task does: in a console with no window, with none of this
 * program's standard handles, in a working folder that is not the
 * program's (Task Scheduler's is C:\Windows\System32 unless told otherwise).
 *
 *   scheduled FOLDER "COMMAND LINE"   prints the command's exit code
 *
 * Exits 2 when the command could not be started. */
#include <windows.h>
#include <stdio.h>

int wmain(int argc, wchar_t **argv) {
	STARTUPINFOW si = {sizeof si};
	PROCESS_INFORMATION pi;
	DWORD code;
	if (argc != 3) {
		fprintf(stderr, "usage: scheduled FOLDER \"COMMAND LINE\"\n");
		return 2;
	}
	if (!CreateProcessW(NULL, argv[2], NULL, NULL, FALSE, CREATE_NO_WINDOW, NULL, argv[1], &si, &pi)) {
		fprintf(stderr, "scheduled: cannot start the command: error %lu\n", GetLastError());
		return 2;
	}
	WaitForSingleObject(pi.hProcess, INFINITE);
	GetExitCodeProcess(pi.hProcess, &code);
	printf("%lu\n", code);
	return 0;
}
