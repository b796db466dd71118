; Compute Desk's Windows installer: the project's own NSIS script, built on Linux by
; `bash .ci/package windows` with Debian's makensis (README, "Windows"). Tauri's own NSIS
; bundling downloads a helper DLL from outside the package registries, and its MSI bundling
; runs only on Windows, so neither is used.
;
; - Per user, with no administrator rights: the app goes to
;   %LOCALAPPDATA%\Programs\Compute Desk, its Start menu entry and its entry in "Installed
;   apps" are the person's own (HKCU).
; - The app and WebView2Loader.dll beside it (the MinGW build loads WebView2 through it),
;   and an uninstaller.
; - English or Spanish, as Windows' own language (the app's two languages).
; - The Start menu entry carries the app's AppUserModelID (its identifier): Windows shows an
;   unpackaged app's notifications only when a Start menu entry names the ID they are sent
;   under, and the notification plugin sends them under the identifier once installed.
; - The WebView2 runtime (Windows 11 has it; so do Windows 10 machines kept up to date) is
;   looked for where Microsoft says it registers itself. A release may embed Microsoft's
;   Evergreen Bootstrapper (COMPUTE_DESK_WEBVIEW2_BOOTSTRAPPER): it is then run, silently,
;   when the runtime is missing. Without it the person is told what is missing, in plain
;   words, and the installation goes on.
;
; Everything that names the release (version, names, publisher, files) comes from the build,
; in defines.nsh, written from Cargo.toml and tauri.conf.json: nothing is written here twice.

Unicode true
Target amd64-unicode
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel user

!include "defines.nsh"
!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "Win\COM.nsh"
!include "Win\Propkey.nsh"

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${IDENTIFIER}"
!define UNINSTALLER "Uninstall ${PRODUCT}.exe"
!define START_MENU_ENTRY "$SMPROGRAMS\${PRODUCT}.lnk"
; Microsoft's product code of the Evergreen WebView2 runtime.
!define WEBVIEW2_CLIENT "Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${PRODUCT} ${VERSION}"
ShowInstDetails nevershow
ShowUninstDetails nevershow

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Spanish"

LangString StartMenuComment ${LANG_ENGLISH} "Run your ThreatWinds Compute machines"
LangString StartMenuComment ${LANG_SPANISH} "Gestiona tus máquinas de ThreatWinds Compute"
LangString NoWebView2 ${LANG_ENGLISH} "${PRODUCT} draws its window with Microsoft Edge WebView2, which this computer does not have yet. Windows 11 has it, and so does Windows 10 when it is kept up to date.$\r$\n$\r$\nThe installation goes on, but ${PRODUCT} will not open until WebView2 is installed: ask whoever looks after this computer to install the Microsoft Edge WebView2 Runtime."
LangString NoWebView2 ${LANG_SPANISH} "${PRODUCT} dibuja su ventana con Microsoft Edge WebView2, que este equipo aún no tiene. Windows 11 lo trae, y también Windows 10 si se mantiene actualizado.$\r$\n$\r$\nLa instalación continúa, pero ${PRODUCT} no se abrirá hasta que WebView2 esté instalado: pide a quien se ocupa de este equipo que instale Microsoft Edge WebView2 Runtime."
LangString AppRunning ${LANG_ENGLISH} "${PRODUCT} is open. Close its window, then choose Retry."
LangString AppRunning ${LANG_SPANISH} "${PRODUCT} está abierto. Ciérralo, y luego elige Reintentar."
LangString WebView2Failed ${LANG_ENGLISH} "Microsoft Edge WebView2 could not be installed (code $0). ${PRODUCT} will not open until it is: ask whoever looks after this computer to install the Microsoft Edge WebView2 Runtime."
LangString WebView2Failed ${LANG_SPANISH} "No se pudo instalar Microsoft Edge WebView2 (código $0). ${PRODUCT} no se abrirá hasta que lo esté: pide a quien se ocupa de este equipo que instale Microsoft Edge WebView2 Runtime."

VIProductVersion "${VERSION}.0"
VIFileVersion "${VERSION}.0"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileDescription" "${PRODUCT} ${VERSION} Setup"
VIAddVersionKey /LANG=${LANG_ENGLISH} "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "LegalCopyright" "${COPYRIGHT}"

; Whether the Evergreen WebView2 runtime is installed, for this person or the machine, by
; Microsoft's rule: a "pv" value that is neither empty nor 0.0.0.0. Leaves 1 or 0 on the stack.
Function HasWebView2
  Push $0
  SetRegView 32
  ReadRegStr $0 HKLM "SOFTWARE\${WEBVIEW2_CLIENT}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\${WEBVIEW2_CLIENT}" "pv"
  ${EndIf}
  SetRegView 64
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    StrCpy $0 0
  ${Else}
    StrCpy $0 1
  ${EndIf}
  Exch $0
FunctionEnd

; The Start menu entry, made with the shell's own IShellLink (as NSIS's Win\COM.nsh shows)
; so that it can carry the AppUserModelID, which CreateShortcut cannot set.
Function MakeStartMenuEntry
  Delete "${START_MENU_ENTRY}"
  !insertmacro ComHlpr_CreateInProcInstance ${CLSID_ShellLink} ${IID_IShellLink} r0 ""
  ${If} $0 P<> 0
    ${IShellLink::SetPath} $0 '("$INSTDIR\${APP_EXE}")'
    ${IShellLink::SetWorkingDirectory} $0 '("$INSTDIR")'
    ${IShellLink::SetIconLocation} $0 '("$INSTDIR\${APP_EXE}",0)'
    ${IShellLink::SetDescription} $0 '("$(StartMenuComment)")'
    ${IUnknown::QueryInterface} $0 '("${IID_IPropertyStore}",.r1)'
    ${If} $1 P<> 0
      ; A VT_LPWSTR value: the ID's text, held by the PROPVARIANT's pointer.
      System::Call 'oleaut32::SysAllocString(w "${IDENTIFIER}")p.r2'
      System::Call '*${SYSSTRUCT_PROPERTYKEY}(${PKEY_AppUserModel_ID})p.r3'
      System::Call '*(&i2,&i6,p,&i8)(${VT_LPWSTR},,$2,)p.r4'
      ${IPropertyStore::SetValue} $1 '($3,$4)'
      ${IPropertyStore::Commit} $1 ""
      System::Free $4
      System::Free $3
      System::Call 'oleaut32::SysFreeString(p r2)'
      ${IUnknown::Release} $1 ""
    ${EndIf}
    ${IUnknown::QueryInterface} $0 '("${IID_IPersistFile}",.r1)'
    ${If} $1 P<> 0
      ${IPersistFile::Save} $1 '("${START_MENU_ENTRY}",1)'
      ${IUnknown::Release} $1 ""
    ${EndIf}
    ${IUnknown::Release} $0 ""
  ${EndIf}
FunctionEnd

; Waits, with the person, until the app is closed: Windows keeps a running program's file
; from being written or deleted, which would leave an installation or removal half-done.
!macro WAIT_FOR_APP_CLOSED
  ${If} ${FileExists} "$INSTDIR\${APP_EXE}"
    app_open_retry:
    ClearErrors
    FileOpen $0 "$INSTDIR\${APP_EXE}" a
    ${If} ${Errors}
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(AppRunning)" /SD IDCANCEL IDRETRY app_open_retry
      Abort
    ${EndIf}
    FileClose $0
  ${EndIf}
!macroend

Section "${PRODUCT}" SecApp
  SectionIn RO
  SetShellVarContext current
  !insertmacro WAIT_FOR_APP_CLOSED
  SetOutPath "$INSTDIR"
  File "/oname=${APP_EXE}" "${APP_PATH}"
  File "${WEBVIEW2_LOADER}"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  Call MakeStartMenuEntry

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  !ifdef HOMEPAGE
    WriteRegStr HKCU "${UNINSTALL_KEY}" "URLInfoAbout" "${HOMEPAGE}"
  !endif
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0

  Call HasWebView2
  Pop $0
  ${If} $0 == 0
    !ifdef WEBVIEW2_BOOTSTRAPPER
      File "/oname=$PLUGINSDIR\MicrosoftEdgeWebview2Setup.exe" "${WEBVIEW2_BOOTSTRAPPER}"
      ExecWait '"$PLUGINSDIR\MicrosoftEdgeWebview2Setup.exe" /silent /install' $0
      ${If} $0 != 0
        MessageBox MB_OK|MB_ICONEXCLAMATION "$(WebView2Failed)" /SD IDOK
      ${EndIf}
    !else
      MessageBox MB_OK|MB_ICONINFORMATION "$(NoWebView2)" /SD IDOK
    !endif
  ${EndIf}
SectionEnd

Function .onInit
  InitPluginsDir
FunctionEnd

; The uninstaller removes what the installer put down. The person's settings, history and
; log (in their AppData) and their saved sign-ins (in Credential Manager) are theirs, and
; stay, as they do when a Linux package is removed without purging.
Section "Uninstall"
  SetShellVarContext current
  !insertmacro WAIT_FOR_APP_CLOSED
  Delete "${START_MENU_ENTRY}"
  Delete "$INSTDIR\${APP_EXE}"
  Delete "$INSTDIR\WebView2Loader.dll"
  ; This uninstaller runs as a copy in the temporary folder, started by the one in $INSTDIR,
  ; which may not have ended yet (a busy machine, a virus scanner reading it): its file is
  ; tried again for up to ten seconds before the folder is left to the next restart.
  StrCpy $1 0
  ${Do}
    ClearErrors
    Delete "$INSTDIR\${UNINSTALLER}"
    ${IfNot} ${FileExists} "$INSTDIR\${UNINSTALLER}"
      ${Break}
    ${EndIf}
    IntOp $1 $1 + 1
    ${If} $1 >= 100
      Delete /REBOOTOK "$INSTDIR\${UNINSTALLER}"
      ${Break}
    ${EndIf}
    Sleep 100
  ${Loop}
  RMDir /REBOOTOK "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
