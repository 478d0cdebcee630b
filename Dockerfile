# The app in a container: docker build -t ufm . && docker run --rm -p 8501:8501 ufm
# Untested here: the development machine cannot pull images (see README, "Deploy on your own server").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

WORKDIR /app

# torch first, from PyTorch's CPU index: PyPI's Linux wheel of the same version is a multi-GB CUDA build. The pin is
# requirements.txt's (torch==2.13.0; the CPU wheel is 2.13.0+cpu, which that pin accepts), so the next step keeps it.
COPY requirements.txt .
RUN pip install --index-url https://download.pytorch.org/whl/cpu \
        "torch==$(sed -n 's/^torch==\([^ ]*\).*/\1/p' requirements.txt)" \
    && pip install -r requirements.txt

# The app: code, pages, the embedded models and data (assets/, about 13 MB). See .dockerignore for what stays out.
COPY . .

RUN useradd --create-home --uid 10001 app && chown -R app /app
USER app

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"

CMD ["python", "-m", "streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0", \
     "--server.headless=true", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]
