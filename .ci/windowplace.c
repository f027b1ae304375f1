/* windowplace: the test of the Windows package reads, sets and closes the
 * app's main window through Win32, as Windows itself would, under Wine.
 *
 *   windowplace where        print "X,Y", the frame's top-left corner
 *   windowplace rect         print "X,Y,W,H", the frame's corner and size
 *   windowplace move X Y     move the window there (size kept)
 *   windowplace size W H     make the frame that size (place kept)
 *   windowplace close        ask it to close (WM_CLOSE), as its close box does
 *
 * Exits 1 when no visible window's title starts with "Migrant Desk". */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static HWND found;

static BOOL CALLBACK each(HWND h, LPARAM unused) {
	char title[256];
	(void)unused;
	GetWindowTextA(h, title, sizeof title);
	if (IsWindowVisible(h) && strncmp(title, "Migrant Desk", 12) == 0) {
		found = h;
		return FALSE;
	}
	return TRUE;
}

int main(int argc, char **argv) {
	RECT r;
	EnumWindows(each, 0);
	if (!found || argc < 2) return 1;
	if (strcmp(argv[1], "where") == 0) {
		GetWindowRect(found, &r);
		printf("%ld,%ld\n", r.left, r.top);
	} else if (strcmp(argv[1], "rect") == 0) {
		GetWindowRect(found, &r);
		printf("%ld,%ld,%ld,%ld\n", r.left, r.top, r.right - r.left, r.bottom - r.top);
	} else if (strcmp(argv[1], "size") == 0 && argc == 4) {
		SetWindowPos(found, NULL, 0, 0, atoi(argv[2]), atoi(argv[3]), SWP_NOMOVE | SWP_NOZORDER | SWP_NOACTIVATE);
	} else if (strcmp(argv[1], "move") == 0 && argc == 4) {
		SetWindowPos(found, NULL, atoi(argv[2]), atoi(argv[3]), 0, 0, SWP_NOSIZE | SWP_NOZORDER | SWP_NOACTIVATE);
	} else if (strcmp(argv[1], "close") == 0) {
		PostMessageA(found, WM_CLOSE, 0, 0);
	} else {
		return 1;
	}
	return 0;
}
