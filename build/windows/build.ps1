# Builds the Windows program and its installer (run on a Windows machine or CI runner).
#   build\out\dist\handwerkml\handwerkml.exe    the program (one folder: starts fast)
#   build\out\HandwerkML-Setup-<version>.exe    the installer (Inno Setup)
# Needs: Python 3.11, Inno Setup 6 (iscc.exe on PATH), and tesseract 5 with deu/eng data
# in build\windows\tesseract (tesseract.exe, its DLLs, tessdata\deu|eng.traineddata).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

if (-not (Test-Path .venv)) { python -m venv .venv }
.venv\Scripts\python -m pip install --upgrade pip
# torch first and pinned: PyPI's Windows wheel of 2.13.0 is the CPU build.
.venv\Scripts\python -m pip install "torch==2.13.0"
.venv\Scripts\python -m pip install -e ".[test,build]"

if (-not (Test-Path build\windows\tesseract\tesseract.exe)) {
    throw "build\windows\tesseract\tesseract.exe is missing (see the CI workflow for how to fetch it)"
}

$env:APPLIANCE_BUNDLE = "onedir"
.venv\Scripts\pyinstaller --noconfirm --log-level WARN `
    --workpath build\out\work --distpath build\out\dist appliance.spec

$version = .venv\Scripts\python -c "import appliance; print(appliance.__version__)"
iscc /DAppVersion=$version build\windows\installer.iss
