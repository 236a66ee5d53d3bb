"""Start PX4 SITL instances for a dronecine mission, and stop exactly what was started.

Used by ``launch/px4_sitl.py`` (the command) and ``firmware_configs/make_qgc_params.py``. Lives
outside the ``dronecine`` package because it drives the user's own PX4 build, not the drone.
"""
