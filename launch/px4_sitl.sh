#!/bin/sh
# Thin wrapper: `launch/px4_sitl.sh start missions/robot_skies.yaml` with the Python that has dronecine.
exec "${PYTHON:-python3}" "$(dirname "$0")/px4_sitl.py" "$@"
