"""Elasticsearch index templates (`index_templates/<name>.json`) and Kibana saved objects (`kibana/`).

`brandpulse es setup` installs the templates; the files are package data so the image carries them.
"""
