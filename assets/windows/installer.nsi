; The Windows installer of Migrant Desk, made by `make windows` with NSIS
; (makensis) from the folder the zip holds. The Makefile defines APP_NAME,
; APP_ID, VERSION, VERSION4 (VERSION.BUILD, four numbers as Windows wants
; them), PUBLISHER, SRC (that folder), ICON (an .ico of FyneApp.toml's
; icon), BITMAP (the welcome and finish pages' picture, of that icon) and
; OUTFILE.
;
; It installs for the user who runs it, without administrator rights, so
; that a clerk can install and update it on an office PC they do not
; administer: into %LOCALAPPDATA%\Programs\Migrant Desk, with a Start menu
; shortcut and an uninstaller listed in Settings, Apps, all under the
; user's own profile and HKCU.
;
; The app keeps its database in %LOCALAPPDATA%\Migrant Desk
; (data/store/path_windows.go). Neither the installer nor the uninstaller
; ever writes or deletes there: the uninstaller deletes the files it
; installed by name, never a folder with what it holds, and the install
; folder may not be the data folder, nor hold it, nor lie in it.
;
; /S installs or uninstalls silently; /DESKTOP with /S adds the desktop
; shortcut; /D=FOLDER (last, unquoted) installs elsewhere.

; A 64-bit installer, as the programs it installs are.
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel user
; zlib, not LZMA: LZMA makes it a fifth smaller (45 MB against the
; zip's 55 MB), but takes five times the CPU (78 s against 16 s) in every
; `make windows`, CI's included.
SetCompressor zlib

!include MUI2.nsh
!include FileFunc.nsh
!include LogicLib.nsh

!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
!define DATA_DIR "$LOCALAPPDATA\${APP_NAME}"
!define SHORTCUT "${APP_NAME}.lnk"

Name "${APP_NAME} ${VERSION}"
OutFile "${OUTFILE}"
BrandingText "${APP_NAME} ${VERSION}"
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
; An update goes where the installed release is, even into a folder its
; user chose.
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=1033 ProductName "${APP_NAME}"
VIAddVersionKey /LANG=1033 ProductVersion "${VERSION}"
VIAddVersionKey /LANG=1033 FileVersion "${VERSION4}"
VIAddVersionKey /LANG=1033 FileDescription "${APP_NAME} ${VERSION} Setup"
VIAddVersionKey /LANG=1033 CompanyName "${PUBLISHER}"
VIAddVersionKey /LANG=1033 LegalCopyright "${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_WELCOMEFINISHPAGE_BITMAP "${BITMAP}"
!define MUI_ABORTWARNING

!define MUI_WELCOMEPAGE_TEXT "Setup will install ${APP_NAME} ${VERSION} for you alone, in a folder of your own: you need no administrator rights.$\r$\n$\r$\nIf ${APP_NAME} is installed already, it is updated. Your database and everything you typed are kept.$\r$\n$\r$\nClose ${APP_NAME} before you continue.$\r$\n$\r$\n$_CLICK"
!insertmacro MUI_PAGE_WELCOME
!define MUI_PAGE_CUSTOMFUNCTION_LEAVE LeaveDirectory
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\migrantdesk.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP_NAME}"
; The read-me box of the finish page, used for the desktop shortcut:
; unticked, since the Start menu has one.
!define MUI_FINISHPAGE_SHOWREADME ""
!define MUI_FINISHPAGE_SHOWREADME_NOTCHECKED
!define MUI_FINISHPAGE_SHOWREADME_TEXT "Add a shortcut to the desktop"
!define MUI_FINISHPAGE_SHOWREADME_FUNCTION DesktopShortcut
!insertmacro MUI_PAGE_FINISH

!define MUI_UNCONFIRMPAGE_TEXT_TOP "${APP_NAME} will be removed from the folder below. Your database in ${DATA_DIR} is kept: a later install finds it again."
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

; $R9 is empty when $INSTDIR may be the install folder, and otherwise
; says why not, as a sentence.
Function CheckInstDir
	Push $0
	Push $1
	Push $2
	GetFullPathName $0 "$INSTDIR"
	${If} $0 == ""
		StrCpy $0 "$INSTDIR"
	${EndIf}
	; C:\ and C:\Folder\ alike end without the backslash, so that "$0\"
	; starts whatever lies in the folder.
	StrCpy $1 $0 "" -1
	${If} $1 == "\"
		StrCpy $0 $0 -1
	${EndIf}
	StrCpy $R9 ""
	; StrCmp, which == uses, ignores case, as Windows paths do.
	StrLen $1 "$0\"
	StrCpy $2 "${DATA_DIR}" $1
	${If} "$0" == "${DATA_DIR}"
	${OrIf} $2 == "$0\"
		StrCpy $R9 "$0 holds your ${APP_NAME} database (${DATA_DIR}). Choose another folder, such as $LOCALAPPDATA\Programs\${APP_NAME}."
	${EndIf}
	StrLen $1 "${DATA_DIR}\"
	StrCpy $2 $0 $1
	${If} $2 == "${DATA_DIR}\"
		StrCpy $R9 "$0 is inside the folder of your ${APP_NAME} database (${DATA_DIR}). Choose another folder, such as $LOCALAPPDATA\Programs\${APP_NAME}."
	${EndIf}
	Pop $2
	Pop $1
	Pop $0
FunctionEnd

Var WantDesktop

Function .onInit
	SetShellVarContext current
	${GetParameters} $0
	ClearErrors
	${GetOptions} $0 "/DESKTOP" $1
	${IfNot} ${Errors}
		StrCpy $WantDesktop 1
	${EndIf}
	; The directory page checks a folder typed there; a silent install
	; has only /D.
	${If} ${Silent}
		Call CheckInstDir
		${If} $R9 != ""
			SetErrorLevel 2
			Quit
		${EndIf}
	${EndIf}
FunctionEnd

Function LeaveDirectory
	Call CheckInstDir
	${If} $R9 != ""
		MessageBox MB_OK|MB_ICONEXCLAMATION "$R9"
		Abort
	${EndIf}
FunctionEnd

; A program that runs cannot be replaced, and a silent install would skip
; it and leave the folder half updated: stop before any file is written,
; with Retry for one who closes it.
!macro StopIfRunning PROGRAM
	${If} ${FileExists} "$INSTDIR\${PROGRAM}"
	retry_${PROGRAM}:
		ClearErrors
		FileOpen $0 "$INSTDIR\${PROGRAM}" a
		${If} ${Errors}
			MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${PROGRAM} is running. Close ${APP_NAME}, then click Retry." /SD IDCANCEL IDRETRY retry_${PROGRAM}
			SetErrorLevel 2
			Quit
		${EndIf}
		FileClose $0
	${EndIf}
!macroend

Function DesktopShortcut
	CreateShortcut "$DESKTOP\${SHORTCUT}" "$INSTDIR\migrantdesk.exe" "" "$INSTDIR\migrantdesk.exe" 0
FunctionEnd

Section
	!insertmacro StopIfRunning migrantdesk.exe
	!insertmacro StopIfRunning migrantdeskctl.exe
	!insertmacro StopIfRunning migrantdeskctl-full.exe
	SetOutPath "$INSTDIR"
	File "${SRC}\migrantdesk.exe"
	File "${SRC}\migrantdeskctl.exe"
	File "${SRC}\migrantdeskctl-full.exe"
	File "${SRC}\README.txt"
	File "${SRC}\README-operations.txt"
	File "${SRC}\THIRD-PARTY-NOTICES.txt"
	WriteUninstaller "$INSTDIR\uninstall.exe"

	CreateShortcut "$SMPROGRAMS\${SHORTCUT}" "$INSTDIR\migrantdesk.exe" "" "$INSTDIR\migrantdesk.exe" 0
	${If} ${Silent}
	${AndIf} $WantDesktop == 1
		Call DesktopShortcut
	${EndIf}

	WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
	WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
	WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\migrantdesk.exe,0"
	WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
	WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
	WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
	WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
	WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
	${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
	WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" $0
SectionEnd

Function un.onInit
	SetShellVarContext current
FunctionEnd

Section Uninstall
	; A running app keeps its program file: stop before anything is
	; removed, rather than leave a program without its shortcut and entry.
	ClearErrors
	Delete "$INSTDIR\migrantdesk.exe"
	${If} ${Errors}
		MessageBox MB_OK|MB_ICONEXCLAMATION "${APP_NAME} is running. Close it, then uninstall again." /SD IDOK
		SetErrorLevel 2
		Quit
	${EndIf}
	Delete "$SMPROGRAMS\${SHORTCUT}"
	Delete "$DESKTOP\${SHORTCUT}"
	Delete "$INSTDIR\migrantdeskctl.exe"
	Delete "$INSTDIR\migrantdeskctl-full.exe"
	Delete "$INSTDIR\README.txt"
	Delete "$INSTDIR\README-operations.txt"
	Delete "$INSTDIR\THIRD-PARTY-NOTICES.txt"
	Delete "$INSTDIR\uninstall.exe"
	DeleteRegKey HKCU "${UNINST_KEY}"
	; Only when empty: a folder chosen for the install may hold more.
	RMDir "$INSTDIR"
SectionEnd
